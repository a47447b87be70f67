"""Agreement of the written corpus's two independent codings (corpus/training/qc/).

    .venv/bin/python benchmarks/written_agreement.py [--json]

The writer's intended codes against a second coder's blind codes, before adjudication:
code and block micro/macro F1 and Cohen's kappa over every (sentence, code) decision,
plus how the disagreements were settled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bestpersons_cli.classify import label_matrix  # noqa: E402
from bestpersons_cli.codebook import load_codebook  # noqa: E402
from bestpersons_cli.metrics import score  # noqa: E402

QC = ROOT / "corpus" / "training" / "qc"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    codebook = load_codebook(ROOT / "corpus" / "codebook.toml")
    rows = [json.loads(line) for line in (QC / "coding.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    dropped = [json.loads(line) for line in (QC / "dropped.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    result = score(label_matrix([r["intended"] for r in rows], codebook), label_matrix([r["second"] for r in rows], codebook), codebook)
    settled = Counter(
        "agreed" if r["adjudicated"] is None and r["final"] is not None
        else "dropped by the adjudicator" if r["final"] is None
        else "adjudicated" for r in rows
    )
    summary = {
        "sentences_coded_twice": len(rows),
        "exact_agreement": sum(r["intended"] == r["second"] for r in rows),
        **{k: result[k] for k in ("micro_f1", "macro_f1", "block_micro_f1", "block_macro_f1", "kappa", "block_kappa")},
        "settled": dict(sorted(settled.items())),
        "final_equals_intended": sum(r["final"] == r["intended"] for r in rows if r["final"] is not None),
        "final_equals_second": sum(r["final"] == r["second"] for r in rows if r["final"] is not None),
        "removed_before_second_coding": dict(sorted(Counter(d["reason"] for d in dropped if d["reason"] != "adjudicator-dropped").items())),
        "per_code_f1": {c: m["f1"] for c, m in result["per_code"].items()},
    }
    if args.json:
        print(json.dumps(summary, sort_keys=True))
        return
    for key, value in summary.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
