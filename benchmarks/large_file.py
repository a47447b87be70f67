"""One very large text file through `bp ingest`: wall time and peak memory.

    .venv/bin/python benchmarks/large_file.py [--megabytes 50] [--json]

The file is the corpus texts repeated, one after another with a blank line between,
until it reaches the size asked for; it is ingested into a new database by a separate
`bp ingest` process, whose peak resident memory the operating system reports. A document
is processed and written part by part, so memory should stay flat as the file grows.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BP = Path(sys.executable).parent / "bp"


def build_file(path: Path, megabytes: float) -> int:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("0*.txt"))]
    target = int(megabytes * 1_000_000)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            for text in texts:
                chunk = text.rstrip("\n") + "\n\n"
                out.write(chunk)
                written += len(chunk.encode("utf-8"))
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "large.txt"
        size = build_file(source, args.megabytes)
        started = time.perf_counter()
        done = subprocess.run([str(BP), "ingest", "--db", str(Path(tmp) / "bp.sqlite"), str(source)], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"bp ingest failed: {done.stderr.strip()}")
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB
    result = {"bytes": size, "seconds": round(seconds, 1), "peak_rss_mib": round(peak_kib / 1024, 1)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"bp ingest of one {size:,}-byte file: {result['seconds']} s, peak RSS {result['peak_rss_mib']} MiB")


if __name__ == "__main__":
    main()
