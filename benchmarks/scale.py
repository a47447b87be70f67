"""Speed and scale of every `bp` stage, held against the limit set by spaCy itself.

    .venv/bin/python benchmarks/scale.py [--scales 1 10 50] [--runs 3] [--model NAME|PATH]
                                         [--workers-check] [--out benchmarks/RESULTS.md]

The corpus is replicated 1x, 10x and 50x under new file names (the first copy keeps the
real names, so the gold still applies). Every stage runs as a whole `bp` process, timed
from outside, its peak resident memory taken from the operating system (wait4); each
figure is the median of --runs runs. Beside `bp ingest` runs the limit: the same cleaned
paragraphs through the same spaCy pipeline with `nlp.pipe` in a bare process
(benchmarks/spacy_limit.py), no cleaning, no storage. The Markdown report has the
figures, the ratios, the targets and the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
BP = str(BIN / "bp")


@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    output: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mib(self) -> float:
        return max(self.rss_mib)


def timed(command: list[str], env: dict | None = None, check: bool = True) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout+stderr of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if check and process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{output[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, output


def measure(command_for_run, runs: int, prepare=None, env=None) -> Measure:
    result = Measure()
    for run in range(runs):
        if prepare:
            prepare(run)
        seconds, rss, output = timed(command_for_run(run), env)
        result.seconds.append(seconds)
        result.rss_mib.append(rss)
        result.output = output
    return result


def build_corpus(folder: Path, scale: int) -> tuple[int, int]:
    """The corpus texts `scale` times; copies get new names so none is skipped as unchanged."""
    folder.mkdir(parents=True)
    texts = sorted((ROOT / "corpus").glob("0*.txt"))
    size = 0
    for copy in range(scale):
        for path in texts:
            name = path.name if copy == 0 else f"{copy:02d}{path.name}"
            shutil.copyfile(path, folder / name)
            size += path.stat().st_size
    return len(texts) * scale, size


def spacy_paragraphs(folder: Path, out: Path) -> int:
    """The cleaned paragraph texts `bp ingest` feeds to spaCy, in its order: ingest's own
    preparation (cleaning, parts, paragraphs), which needs no NLP pipeline."""
    from bestpersons_cli.ingest import DocumentStream
    from bestpersons_cli.nlp import LoadedPipeline
    from bestpersons_cli.records import Pipeline
    from bestpersons_cli.sources import read_document

    no_nlp = LoadedPipeline(None, Pipeline("none", "0", True))
    texts = [
        paragraph.text.text
        for path in sorted(folder.iterdir())
        for part in DocumentStream(read_document(path), no_nlp).prepare()
        for paragraph in part.paragraphs
    ]
    out.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return len(texts)


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def sentences_in(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM sentences").fetchone()[0]


def bench_scale(scale: int, runs: int, work: Path, model: list[str]) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{scale}x"
    files, size = build_corpus(corpus, scale)
    paragraphs_file = work / f"paragraphs-{scale}x.json"
    paragraph_count = spacy_paragraphs(corpus, paragraphs_file)
    db = work / f"{scale}x.sqlite"


    figures: dict = {"scale": scale, "files": files, "bytes": size, "paragraphs": paragraph_count}
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    figures["startup"] = measure(lambda run: [BP, "ingest", str(empty), "--db", str(work / "startup.sqlite"), *model], runs)
    figures["ingest"] = measure(lambda run: [BP, "ingest", str(corpus), "--db", str(db), *model], runs, prepare=lambda run: remove_database(db))
    chose = re.search(r"\((\d+) spaCy process", " ".join(figures["ingest"].output.split()))
    figures["workers"] = int(chose.group(1)) if chose else 1
    # the limit gets as many spaCy processes as bp chose
    limit = measure(
        lambda run: [sys.executable, str(ROOT / "benchmarks" / "spacy_limit.py"), str(paragraphs_file), *model, "--workers", str(figures["workers"])],
        runs,
    )
    inside = json.loads(limit.output.strip().splitlines()[-1])
    figures["spacy"] = limit
    figures["spacy_pipe_s"] = inside["pipe_s"]
    figures["spacy_load_s"] = inside["load_s"]
    figures["sentences"] = sentences_in(db)
    figures["reingest"] = measure(lambda run: [BP, "ingest", str(corpus), "--db", str(db), *model], runs)
    figures["train"] = measure(lambda run: [BP, "train", "--db", str(db), *model], runs)
    figures["classify"] = measure(lambda run: [BP, "classify", "--db", str(db)], runs)
    rate = re.search(r"([\d,]+) sentences/s", " ".join(figures["classify"].output.split()))
    figures["classify_rate"] = int(rate.group(1).replace(",", "")) if rate else None
    figures["digest"] = measure(lambda run: [BP, "digest", "--db", str(db), "--out", str(work / f"digest-{scale}x")], runs)
    run_db = work / f"run-{scale}x.sqlite"


    figures["run"] = measure(
        lambda run: [BP, "run", str(corpus), "--db", str(run_db), "--out", str(work / f"run-digest-{scale}x"), *model],
        runs, prepare=lambda run: remove_database(run_db),
    )
    return figures


def machine() -> dict:
    import spacy

    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    cpu = ""
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1).strip()
    except (OSError, AttributeError):
        cpu = platform.processor()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": memory, "os": platform.platform(),
        "python": platform.python_version(), "spacy": spacy.__version__,
    }


def pipeline_name(model: list[str]) -> str:
    from bestpersons_cli.nlp import load_pipeline

    loaded = load_pipeline(model[1] if model else None)
    return f"{loaded.info.name} {loaded.info.version}" + (" (fallback)" if loaded.info.is_fallback else "")


def help_time(runs: int) -> Measure:
    return measure(lambda run: [BP, "--help"], max(runs, 5))


def workers_check(work: Path, model: list[str], runs: int, scale: int = 10) -> list[tuple[str, float, int]]:
    """`bp ingest --workers` 1, 2 and auto on the 10x corpus: when do spaCy processes pay?"""
    corpus = work / f"corpus-{scale}x"
    db = work / "workers.sqlite"


    rows = []
    for option in ("1", "2", "auto"):
        m = measure(lambda run: [BP, "ingest", str(corpus), "--db", str(db), "--workers", option, *model], runs, prepare=lambda run: remove_database(db))
        chose = re.search(r"\((\d+) spaCy process", " ".join(m.output.split()))
        rows.append((option, m.median, int(chose.group(1)) if chose else 0))
    return rows


def section(results: list[dict], pipeline: str, workers_rows) -> list[str]:
    by_scale = {r["scale"]: r for r in results}
    stages = [
        ("spaCy limit (bare `nlp.pipe`, whole process)", "spacy"),
        ("`bp ingest` (new database)", "ingest"),
        ("`bp ingest` again (unchanged)", "reingest"),
        ("`bp ingest` of an empty folder (start-up)", "startup"),
        ("`bp train`", "train"),
        ("`bp classify`", "classify"),
        ("`bp digest`", "digest"),
        ("`bp run` (new database: ingest, train, classify, digest)", "run"),
    ]
    scales = [r["scale"] for r in results]
    lines = [
        f"## {pipeline}",
        "",
        "Input: the corpus texts replicated under new names: "
        + "; ".join(f"{s}x = {by_scale[s]['files']} files, {by_scale[s]['bytes'] / 1e6:.2f} MB, "
                    f"{by_scale[s]['paragraphs']:,} paragraphs, {by_scale[s]['sentences']:,} sentences" for s in scales)
        + f". `bp ingest` and `bp run` chose {by_scale[scales[-1]]['workers']} spaCy process(es).",
        "",
        "### Wall time in seconds (peak memory in MiB)",
        "",
        "| stage | " + " | ".join(f"{s}x" for s in scales) + " |",
        "|---|" + "---:|" * len(scales),
    ]
    for label, key in stages:
        cells = [f"{by_scale[s][key].median:.2f} ({by_scale[s][key].peak_mib:.0f})" for s in scales]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### Ratios",
        "",
        "| figure | " + " | ".join(f"{s}x" for s in scales) + " |",
        "|---|" + "---:|" * len(scales),
        "| `bp ingest` / spaCy limit (whole processes) | "
        + " | ".join(f"{by_scale[s]['ingest'].median / by_scale[s]['spacy'].median:.2f}" for s in scales) + " |",
        "| spaCy start-up inside the limit (import, load), s | " + " | ".join(f"{by_scale[s]['spacy_load_s']:.2f}" for s in scales) + " |",
        "| spaCy `nlp.pipe` inside the limit, s | " + " | ".join(f"{by_scale[s]['spacy_pipe_s']:.2f}" for s in scales) + " |",
        "| `bp classify` sentences/s after loading the model | "
        + " | ".join(f"{by_scale[s]['classify_rate']:,}" if by_scale[s]["classify_rate"] else "?" for s in scales) + " |",
    ]
    top, base = max(scales), min(scales)
    t = by_scale[top]
    ratio = t["ingest"].median / t["spacy"].median
    start_up = by_scale[base]["startup"].median
    growth = (t["ingest"].median - start_up) / max(by_scale[base]["ingest"].median - start_up, 1e-9)
    rate = t["classify_rate"] or 0
    met = lambda ok: "yes" if ok else "**no**"  # noqa: E731
    lines += [
        "",
        "### Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| `bp ingest` at {top}x ≤ 1.3 × the spaCy limit | {ratio:.2f} × | {met(ratio <= 1.3)} |",
        f"| re-ingest of the unchanged {top}x corpus < 2 s | {t['reingest'].median:.2f} s | {met(t['reingest'].median < 2)} |",
        f"| {top}x ingest ≤ {top * 1.1:.0f} × the {base}x time, after start-up ({start_up:.2f} s: `bp ingest` of an empty folder) "
        f"| {growth:.1f} × | {met(growth <= top * 1.1)} |",
        f"| `bp classify` ≥ 20,000 sentences/s after loading | {rate:,} /s | {met(rate >= 20000)} |",
        f"| `bp digest` on {top}x < 10 s | {t['digest'].median:.2f} s | {met(t['digest'].median < 10)} |",
        f"| `bp ingest` peak memory at {top}x < 1 GiB | {t['ingest'].peak_mib:.0f} MiB | {met(t['ingest'].peak_mib < 1024)} |",
    ]
    if workers_rows:
        lines += ["", "### `bp ingest --workers` at 10x", "", "| --workers | seconds | chose |", "|---|---:|---:|"]
        lines += [f"| {option} | {seconds:.2f} | {chosen} |" for option, seconds, chosen in workers_rows]
    return lines + [""]


def report(sections: list[list[str]], help_m: Measure, facts: dict, runs: int) -> str:
    lines = [
        "# Speed and scale",
        "",
        "Written by `benchmarks/scale.py` (`make bench`); every figure is the median of "
        f"{runs} runs of a whole `bp` process, timed from outside; memory is the process's peak "
        "resident set. The tables are replaced by each run, never edited by hand.",
        "",
        f"- Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory']}; {facts['os']}; "
        f"Python {facts['python']}, spaCy {facts['spacy']}",
        f"- `bp --help`: {help_m.median:.3f} s, {help_m.peak_mib:.0f} MiB (target < 0.3 s: {'met' if help_m.median < 0.3 else '**missed**'})",
        "",
    ]
    for part in sections:
        lines += part
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", action="append", default=[], help="spaCy pipeline name or folder; repeat for several (default: what bp loads)")
    parser.add_argument("--stand-in", action="store_true", help="also build and measure a speed stand-in for nl_core_news_sm (benchmarks/stand_in_pipeline.py)")
    parser.add_argument("--workers-check", action="store_true", help="also time --workers 1, 2 and auto at 10x")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        models: list[str | None] = list(args.model) or [None]
        if args.stand_in:
            stand_in = work / "stand_in_sm"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "stand_in_pipeline.py"), str(stand_in)], check=True)
            models.append(str(stand_in))
        sections = []
        for number, model in enumerate(models):
            option = ["--model", model] if model else []
            results = []
            for scale in args.scales:
                print(f"{model or 'default pipeline'}: {scale}x ...", file=sys.stderr, flush=True)
                results.append(bench_scale(scale, args.runs, work / f"m{number}", option))
            rows = workers_check(work / f"m{number}", option, args.runs) if args.workers_check and 10 in args.scales else []
            name = pipeline_name(option)
            if model and Path(model).name == "stand_in_sm":
                name += " — speed stand-in for nl_core_news_sm (same architecture, briefly trained on UD labels; timing only)"
            sections.append(section(results, name, rows))
        text = report(sections, help_time(args.runs), machine(), args.runs)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
