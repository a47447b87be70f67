"""The limit `bp ingest` is measured against: paragraphs through spaCy and nothing else.

    python benchmarks/spacy_limit.py PARAGRAPHS.json [--model NAME|PATH] [--workers N]

PARAGRAPHS.json is a list of the cleaned paragraph texts `bp ingest` would feed to
spaCy (benchmarks/scale.py writes it). This script loads the same pipeline and runs
`nlp.pipe` over them: no cleaning, no storage. It prints one JSON line with the time
spent loading and piping.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paragraphs", type=Path)
    parser.add_argument("--model", default=None)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    from bestpersons_cli.nlp import load_pipeline

    nlp = load_pipeline(args.model).nlp
    texts = json.loads(args.paragraphs.read_text(encoding="utf-8"))
    loaded = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64, n_process=args.workers))
    done = time.perf_counter()
    print(json.dumps({"load_s": round(loaded - started, 3), "pipe_s": round(done - loaded, 3), "paragraphs": len(texts), "tokens": tokens}))


if __name__ == "__main__":
    main()
