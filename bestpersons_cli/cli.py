"""The `bp` command line: parse options, call the stage modules, render with rich.

No algorithm lives here. Heavy libraries (spaCy, scikit-learn) are imported inside the
commands that need them, so `bp --help` stays instant.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import store
from .errors import BpError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Code Dutch research texts about best persons into themes.",
)
out = Console()
err = Console(stderr=True)

DbOption = typer.Option(None, "--db", help="SQLite database (default .bp/bp.sqlite or $BP_DB).")
JsonOption = typer.Option(False, "--json", help="Print JSON Lines instead of a table.")


def fail(exc: BpError, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def open_db(db: Optional[Path], create: bool = False):
    try:
        return store.connect(db or store.default_db_path(), create=create)
    except BpError as exc:
        fail(exc)


def pipeline_loader(model: Optional[str]):
    """A function that loads the spaCy pipeline on first call and reuses it after."""
    from functools import lru_cache

    from .nlp import load_pipeline

    return lru_cache(maxsize=1)(lambda: load_pipeline(model))


def emit_jsonl(rows: Iterable[dict]) -> int:
    count = 0
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


# --- ingest -----------------------------------------------------------------------------------


def parse_workers(value: str) -> int | None:
    """`auto` (None: ingest chooses) or a number of spaCy processes."""
    if value == "auto":
        return None
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise typer.BadParameter("a number of processes (1 or more) or 'auto'")


WorkersOption = typer.Option(
    "auto", "--workers", callback=parse_workers,
    help="spaCy processes: a number, or 'auto' (one per core for a statistical pipeline on more than a little text, one for the fallback).",
)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders of .txt/.md (default corpus/)."),
    db: Optional[Path] = DbOption,
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline name or folder (default nl_core_news_sm or $BP_SPACY_MODEL)."),
    force: bool = typer.Option(False, "--force", help="Re-ingest files whose content did not change."),
    workers: Optional[str] = WorkersOption,
) -> None:
    """Clean, segment, lemmatize and store texts, with their interview quotes."""
    from rich.progress import Progress

    from .ingest import ingest_paths
    from .nlp import load_pipeline

    started = time.perf_counter()
    paths = paths or [Path("corpus")]
    try:
        loaded = load_pipeline(model)
    except BpError as exc:
        fail(exc)
    if loaded.warning:
        err.print(f"[yellow]warning:[/yellow] {loaded.warning}", highlight=False, soft_wrap=True)
    conn = open_db(db, create=True)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("ingest", total=None)
        report = ingest_paths(paths, conn, loaded, force=force, workers=workers, progress=lambda name: progress.update(task, description=f"ingest {name}", advance=1))
    for error in report.errors:
        err.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    table = Table(title=f"Ingested with {loaded.info.name} {loaded.info.version}")
    for column in ("document", "sentences", "quotes", "dropped"):
        table.add_column(column, justify="left" if column == "document" else "right")
    for doc in report.ingested:
        table.add_row(doc.name, str(doc.sentences), str(doc.quotes), str(doc.dropped))
    for name in report.skipped:
        table.add_row(f"{name} (unchanged, skipped)", "", "", "")
    out.print(table)
    counts = store.dropped_counts(conn)
    if counts:
        out.print("dropped spans by reason: " + ", ".join(f"{reason} {n}" for reason, n in counts.items()), highlight=False)
    out.print(
        f"{len(report.ingested)} ingested, {len(report.skipped)} unchanged, {len(report.errors)} failed in"
        f" {time.perf_counter() - started:.1f}s ({report.workers} spaCy process{'es' if report.workers > 1 else ''})",
        highlight=False,
    )
    if report.errors:
        raise typer.Exit(1)


# --- listings ---------------------------------------------------------------------------------


@app.command()
def documents(db: Optional[Path] = DbOption, as_json: bool = JsonOption) -> None:
    """List ingested documents and the NLP pipeline that processed each."""
    conn = open_db(db)
    rows = store.documents(conn)
    if as_json:
        emit_jsonl(store.row_dict(r, drop=("id", "ingested_at")) for r in rows)
        return
    table = Table()
    for column in ("document", "title", "sentences", "quotes", "dropped", "pipeline"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], r["title"], str(r["sentences"]), str(r["quotes"]), str(r["dropped"]), f"{r['nlp_pipeline']} {r['nlp_version']}")
    out.print(table)


@app.command()
def sentences(
    db: Optional[Path] = DbOption,
    document: Optional[str] = typer.Option(None, "--document", "-d", help="Document name or prefix (e.g. 002)."),
    section: Optional[str] = typer.Option(None, "--section", "-s", help="Part of a section heading."),
    interview: Optional[int] = typer.Option(None, "--interview", "-i", help="Only sentences inside quotes of this interview."),
    code: Optional[str] = typer.Option(None, "--code", "-c", help="Only sentences classified into this code (or block, e.g. C)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="text, heading, bullet or figure."),
    as_json: bool = JsonOption,
) -> None:
    """List stored sentences."""
    conn = open_db(db)
    rows = store.sentences(conn, document, section, interview, code, kind)
    if as_json:
        emit_jsonl(_sentence_json(r) for r in rows)
        return
    table = Table()
    for column in ("id", "page", "section", "codes", "text"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r["uid"], str(r["page"] or ""), (r["section"] or "")[:30], r["codes"] or "", r["text"])
    out.print(table)


def _sentence_json(r) -> dict:
    return {
        "id": r["uid"], "document": r["document"], "ordinal": r["ordinal"], "paragraph": r["paragraph"],
        "kind": r["kind"], "section": r["section"], "page": r["page"], "start": r["start"], "end": r["end"],
        "text": r["text"], "lemmas": r["lemmas"], "pos": r["pos"],
        "codes": (r["codes"] or "").split() if r["codes"] else [],
    }


@app.command()
def quotes(
    db: Optional[Path] = DbOption,
    document: Optional[str] = typer.Option(None, "--document", "-d"),
    section: Optional[str] = typer.Option(None, "--section", "-s"),
    interview: Optional[int] = typer.Option(None, "--interview", "-i", help="Only quotes of this interview."),
    kind: Optional[str] = typer.Option(None, "--kind", help="interview, meeting or literature."),
    as_json: bool = JsonOption,
) -> None:
    """List interview, meeting and literature quotes."""
    conn = open_db(db)
    rows = store.quotes(conn, document, section, interview, kind)
    if as_json:
        emit_jsonl(
            {
                "id": r["uid"], "document": r["document"], "kind": r["kind"], "source": r["source_id"],
                "interview": r["number"], "section": r["section"], "page": r["page"], "start": r["start"],
                "end": r["end"], "first_sentence": r["first_sentence"], "last_sentence": r["last_sentence"],
                "text": r["text"], "codes": (r["codes"] or "").split() if r["codes"] else [],
            }
            for r in rows
        )
        return
    table = Table()
    for column in ("id", "kind", "source", "section", "codes", "text"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r["uid"], r["kind"], r["source_id"], (r["section"] or "")[:30], r["codes"] or "", r["text"])
    out.print(table)


@app.command()
def dropped(
    db: Optional[Path] = DbOption,
    document: Optional[str] = typer.Option(None, "--document", "-d"),
    reason: Optional[str] = typer.Option(None, "--reason", "-r", help="garbage-line, page-number, note-number, footnote-mark, line-end-hyphen, diaeresis."),
    as_json: bool = JsonOption,
) -> None:
    """List what cleaning removed or replaced, with its place in the original file."""
    conn = open_db(db)
    rows = store.dropped(conn, document, reason)
    if as_json:
        emit_jsonl(
            {"document": r["document"], "line": r["line"], "start": r["start"], "end": r["end"], "reason": r["reason"], "text": r["text"], "replacement": r["replacement"]}
            for r in rows
        )
        return
    table = Table()
    for column in ("document", "line", "offsets", "reason", "text", "replacement"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r["document"], str(r["line"]), f"{r['start']}-{r['end']}", r["reason"], repr(r["text"]), r["replacement"])
    out.print(table)


@app.callback()
def options(debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an unexpected error.")) -> None:
    """Code Dutch research texts about best persons into themes."""


def main() -> None:
    """The `bp` entry point: expected errors are one line already; an unexpected one is
    reported in one line too, with its traceback only under --debug or $BP_DEBUG."""
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
        if "--debug" in sys.argv[1:] or os.environ.get("BP_DEBUG"):
            raise
        err.print(
            f"[red]error:[/red] unexpected {type(exc).__name__}: {exc} (this is a bug in bp; run again with --debug for the traceback)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(2)


# --- codebook, training, classification, evaluation ---------------------------------------------

CodebookOption = typer.Option(None, "--codebook", help="Codebook: TOML, YAML or REFI-QDA .qdc (default corpus/codebook.toml or $BP_CODEBOOK).")
DEFAULT_GOLD = Path("corpus/annotations/gold.jsonl")


def load_codebook_or_fail(path: Optional[Path]):
    from .codebook import default_codebook_path, load_codebook

    try:
        return load_codebook(path or default_codebook_path())
    except BpError as exc:
        fail(exc)


def read_annotations_or_fail(read, strict: bool):
    """Run a gold or training-corpus reader; print every bad line as file:line, stop if strict."""
    try:
        annotations = read()
    except BpError as exc:
        fail(exc)
    for problem in annotations.problems:
        err.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)
    if annotations.problems and strict:
        raise typer.Exit(1)
    return annotations


def read_gold_or_fail(path: Path, codebook, strict: bool):
    from .gold import read_gold

    gold = read_annotations_or_fail(lambda: read_gold(path, codebook), strict)
    if not gold.sentences:
        fail(BpError("no valid gold sentences", path))
    return gold


WrittenOption = typer.Option(None, "--written", help="Written training corpus: folder of .jsonl files or one file (default corpus/training/ when it exists).")
NoWrittenOption = typer.Option(False, "--no-written", help="Train on the gold annotations alone.")


def read_written_or_fail(path: Optional[Path], skip: bool, codebook):
    """The written training corpus, or None when skipped or absent by default; strict."""
    from .written import DEFAULT_FOLDER, read_written

    if skip:
        return None
    if path is None:
        if not DEFAULT_FOLDER.is_dir():
            return None
        path = DEFAULT_FOLDER
    return read_annotations_or_fail(lambda: read_written(path, codebook), strict=True)


def metrics_table(result: dict, title: str) -> Table:
    table = Table(title=title)
    for column in ("code", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "code" else "right")
    for code, m in result["per_code"].items():
        table.add_row(code, f"{m['precision']:.2f}", f"{m['recall']:.2f}", f"{m['f1']:.2f}", str(m["support"]))
    table.add_section()
    table.add_row("micro", "", "", f"{result['micro_f1']:.3f}", str(result["n"]))
    table.add_row("macro", "", "", f"{result['macro_f1']:.3f}", "")
    table.add_row("block micro", "", "", f"{result['block_micro_f1']:.3f}", "")
    table.add_row("block macro", "", "", f"{result['block_macro_f1']:.3f}", "")
    table.add_row("kappa", "", "", f"{result['kappa']:.3f}", "")
    return table


@app.command()
def codes(codebook_path: Optional[Path] = CodebookOption, as_json: bool = JsonOption) -> None:
    """List the codebook's codes."""
    codebook = load_codebook_or_fail(codebook_path)
    if as_json:
        emit_jsonl({"id": c.id, "block": c.block, "name": c.name, "definition": c.definition, "typical_words": list(c.typical_words)} for c in codebook.codes)
        return
    table = Table(title=f"{codebook.name} ({codebook.source})")
    for column in ("code", "block", "name", "typical words"):
        table.add_column(column, overflow="fold")
    for c in codebook.codes:
        table.add_row(c.id, codebook.block(c.block).name, c.name, ", ".join(c.typical_words))
    out.print(table)


@app.command()
def train(
    gold_path: Path = typer.Option(DEFAULT_GOLD, "--gold", help="Gold annotations (JSON Lines)."),
    db: Optional[Path] = DbOption,
    codebook_path: Optional[Path] = CodebookOption,
    candidate: Optional[str] = typer.Option(None, "--candidate", help="Model candidate (default: the one chosen by measurement)."),
    compare: bool = typer.Option(False, "--compare", help="Cross-validate every candidate and print the comparison instead of training."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for sentences not in the store."),
    written_path: Optional[Path] = WrittenOption,
    no_written: bool = NoWrittenOption,
    as_json: bool = JsonOption,
) -> None:
    """Train the theme classifier on gold and written sentences; grouped cross-validation on the gold for its card."""
    import warnings

    from . import classify
    from .train import examples_from_gold, examples_from_written, train_and_register

    warnings.filterwarnings("ignore", category=UserWarning)
    codebook = load_codebook_or_fail(codebook_path)
    gold = read_gold_or_fail(gold_path, codebook, strict=True)
    written = read_written_or_fail(written_path, no_written, codebook)
    db_path = db or store.default_db_path()
    conn = open_db(db_path)
    loader = pipeline_loader(model)
    try:
        if compare:
            examples = examples_from_gold(gold.sentences, conn, loader)
            extra = examples_from_written(written.sentences, loader) if written else []
            rows = []
            for name in classify.CANDIDATES:
                started = time.perf_counter()
                result = classify.cross_validate(name, examples, codebook, extra=extra).result
                rows.append({"candidate": name, **{k: result[k] for k in ("micro_f1", "macro_f1", "block_micro_f1", "block_macro_f1", "kappa")}, "seconds": round(time.perf_counter() - started, 1)})
            if as_json:
                emit_jsonl(rows)
                return
            more = f", {len(extra)} written sentences spread over the folds (trained on, never scored)" if extra else ""
            table = Table(title=f"Grouped {classify.N_SPLITS}-fold cross-validation on {len(examples)} gold sentences{more}")
            for column in rows[0]:
                table.add_column(column, justify="left" if column == "candidate" else "right")
            for row in rows:
                table.add_row(*(str(v) for v in row.values()))
            out.print(table)
            return
        with out.status("training and cross-validating"):
            trained, path, card_path = train_and_register(
                conn, db_path, codebook, gold, loader, candidate or classify.DEFAULT_CANDIDATE, written
            )
    except BpError as exc:
        fail(exc)
    cv = trained.card["cross_validation"]
    if as_json:
        emit_jsonl([{"model_id": trained.id, "path": str(path), "card": str(card_path), **{k: cv[k] for k in ("micro_f1", "macro_f1", "block_micro_f1", "block_macro_f1", "kappa")}}])
        return
    out.print(metrics_table(cv, f"Model {trained.id} ({trained.card['candidate']}): grouped cross-validation"))
    out.print(f"saved {path} and {card_path}", highlight=False)


@app.command(name="classify")
def classify_command(
    db: Optional[Path] = DbOption,
    codebook_path: Optional[Path] = CodebookOption,
    force: bool = typer.Option(False, "--force", help="Classify even if the model's codebook or NLP pipeline differs."),
) -> None:
    """Classify every stored sentence and quote with the current model."""
    from .train import classify_store, current_model, mismatch, pipelines_in_store

    codebook = load_codebook_or_fail(codebook_path)
    conn = open_db(db)
    try:
        model = current_model(conn)
        problem = mismatch(model, codebook, pipelines_in_store(conn))
        if problem and not force:
            fail(BpError(problem + "; retrain with `bp train` or pass --force"))
        if problem:
            err.print(f"[yellow]warning:[/yellow] {problem} (--force)", highlight=False, soft_wrap=True)
        summary = classify_store(conn, model, codebook)
    except BpError as exc:
        fail(exc)
    table = Table(title=f"Sentences per block, model {model.id}")
    for column in ("block", "name", "sentences", "codes"):
        table.add_column(column)
    for block in codebook.blocks:
        detail = ", ".join(f"{c.id} {summary.per_code.get(c.id, 0)}" for c in codebook.codes_in_block(block.id))
        table.add_row(block.id, block.name, str(summary.per_block[block.id]), detail)
    out.print(table)
    out.print(
        f"{summary.sentences} sentences classified, {summary.coded_sentences} with at least one code, in"
        f" {summary.seconds:.2f}s ({summary.rate:,} sentences/s after loading the model)",
        highlight=False,
    )


@app.command()
def evaluate(
    gold_path: Path = typer.Argument(..., help="A gold file in the codebook's format."),
    db: Optional[Path] = DbOption,
    codebook_path: Optional[Path] = CodebookOption,
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for the gold texts."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Score a gold file against the current model (its texts get ingest's cleaning and NLP)."""
    from .nlp import load_pipeline
    from .train import current_model, evaluate as evaluate_gold

    from .written import refuse_written

    codebook = load_codebook_or_fail(codebook_path)
    gold = read_gold_or_fail(gold_path, codebook, strict=False)
    conn = open_db(db)
    try:
        refuse_written(gold)
        trained = current_model(conn)
        result = evaluate_gold(trained, gold.sentences, codebook, load_pipeline(model))
    except BpError as exc:
        fail(exc)
    result["problems"] = len(gold.problems)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
    else:
        out.print(metrics_table(result, f"{gold_path} against model {trained.id}"))
    if gold.problems:
        raise typer.Exit(1)


# --- digests and the whole job -------------------------------------------------------------------


@app.command()
def digest(
    out_dir: Path = typer.Option(Path("digest"), "--out", help="Folder for the Markdown files."),
    db: Optional[Path] = DbOption,
    codebook_path: Optional[Path] = CodebookOption,
) -> None:
    """Write theme digests and the quote index as Markdown."""
    from .digest import write_digest

    codebook = load_codebook_or_fail(codebook_path)
    conn = open_db(db)
    try:
        paths = write_digest(conn, codebook, out_dir)
    except BpError as exc:
        fail(exc)
    out.print(f"wrote {len(paths)} files to {out_dir}/ (start with {out_dir / 'index.md'})", highlight=False)


@app.command()
def run(
    paths: list[Path] = typer.Argument(None, help="Files or folders to ingest (default corpus/)."),
    out_dir: Path = typer.Option(Path("digest"), "--out", help="Folder for the Markdown files."),
    db: Optional[Path] = DbOption,
    codebook_path: Optional[Path] = CodebookOption,
    gold_path: Path = typer.Option(DEFAULT_GOLD, "--gold", help="Gold annotations to train on when no current model exists."),
    written_path: Optional[Path] = WrittenOption,
    no_written: bool = NoWrittenOption,
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline name or folder."),
    workers: Optional[str] = WorkersOption,
) -> None:
    """The whole job: ingest, train when no current model exists, classify, digest."""
    import warnings

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .digest import write_digest
    from .gold import read_gold
    from .ingest import ingest_paths
    from .train import classify_store, current_model, mismatch, pipelines_in_store, train_and_register

    warnings.filterwarnings("ignore", category=UserWarning)
    started = time.perf_counter()
    codebook = load_codebook_or_fail(codebook_path)
    written = read_written_or_fail(written_path, no_written, codebook)
    db_path = db or store.default_db_path()
    summary: list[str] = []
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err) as progress:
            step = progress.add_task("ingest: loading the NLP pipeline", total=None)
            loader = pipeline_loader(model)
            loaded = loader()
            if loaded.warning:
                progress.console.print(f"[yellow]warning:[/yellow] {loaded.warning}", highlight=False, soft_wrap=True)
            conn = store.connect(db_path)
            report = ingest_paths(
                paths or [Path("corpus")], conn, loaded, workers=workers, progress=lambda name: progress.update(step, description=f"ingest: {name}")
            )
            for error in report.errors:
                progress.console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            for warning in report.warnings:
                progress.console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
            summary.append(f"ingest: {len(report.ingested)} ingested, {len(report.skipped)} unchanged, {len(report.errors)} failed")
            progress.update(step, description="train: checking the current model")
            try:
                trained = current_model(conn)
                stale = mismatch(trained, codebook, pipelines_in_store(conn))
            except BpError:
                trained, stale = None, "no model"
            if stale:
                progress.update(step, description="train: grouped cross-validation and fit")
                gold = read_gold(gold_path, codebook)
                if gold.problems:
                    raise BpError(str(gold.problems[0]))
                trained, _, _ = train_and_register(conn, db_path, codebook, gold, loader, written=written)
                summary.append(f"train: model {trained.id}, cross-validated micro-F1 {trained.card['cross_validation']['micro_f1']:.3f}")
            else:
                summary.append(f"train: current model {trained.id} still matches")
            progress.update(step, description="classify")
            classified = classify_store(conn, trained, codebook)
            summary.append(f"classify: {sum(classified.per_code.values())} code assignments")
            progress.update(step, description="digest")
            files = write_digest(conn, codebook, out_dir)
            summary.append(f"digest: {len(files)} files in {out_dir}/")
    except BpError as exc:
        fail(exc)
    for line in summary:
        out.print(line, highlight=False)
    out.print(f"done in {time.perf_counter() - started:.1f}s: open {out_dir / 'index.md'}", highlight=False)
    if report.errors:
        raise typer.Exit(1)


# --- export -----------------------------------------------------------------------------------

export_app = typer.Typer(help="Hand the coding to other tools: REFI-QDA for NVivo, ATLAS.ti and MAXQDA; CSV; JSON Lines.", no_args_is_help=True)
app.add_typer(export_app, name="export")
MinConfidenceOption = typer.Option(
    None, "--min-confidence", min=0.0, max=1.0,
    help="Export every code at least this probable (default: the codes the model assigned, by its per-code thresholds).",
)


@export_app.command("qdpx")
def export_qdpx(
    file: Path = typer.Argument(..., help="The REFI-QDA project to write (.qdpx)."),
    db: Optional[Path] = DbOption,
    codebook_path: Optional[Path] = CodebookOption,
    min_confidence: Optional[float] = MinConfidenceOption,
) -> None:
    """A REFI-QDA project: the codebook, every document as a text source, every coded sentence and quote."""
    from .export import coded_segments, qdpx_bytes, write_bytes

    codebook = load_codebook_or_fail(codebook_path)
    conn = open_db(db)
    try:
        segments = coded_segments(conn, codebook, min_confidence)
        texts = store.document_texts(conn)
        write_bytes(file, qdpx_bytes(codebook, texts, segments))
    except BpError as exc:
        fail(exc)
    selections = len({s.uid for s in segments})
    out.print(f"wrote {file}: {len(texts)} sources, {selections} coded selections, {len(segments)} codings", highlight=False)


@export_app.command("qdc")
def export_qdc(
    file: Path = typer.Argument(..., help="The REFI-QDA codebook to write (.qdc)."),
    codebook_path: Optional[Path] = CodebookOption,
) -> None:
    """The codebook alone, as a REFI-QDA codebook; `--codebook FILE.qdc` reads one back."""
    from .export import codebook_qdc, write_bytes

    codebook = load_codebook_or_fail(codebook_path)
    try:
        write_bytes(file, codebook_qdc(codebook))
    except BpError as exc:
        fail(exc)
    out.print(f"wrote {file}: {len(codebook.blocks)} blocks, {len(codebook.codes)} codes", highlight=False)


@export_app.command("csv")
def export_csv(
    file: Optional[Path] = typer.Argument(None, help="CSV file to write (default: standard output)."),
    db: Optional[Path] = DbOption,
    codebook_path: Optional[Path] = CodebookOption,
    min_confidence: Optional[float] = MinConfidenceOption,
    as_json: bool = typer.Option(False, "--json", help="JSON Lines instead of CSV."),
) -> None:
    """Every coded segment (document, sentence or quote, offsets, page, code, probability, text), for spreadsheets and R."""
    from dataclasses import asdict

    from .export import coded_segments, segments_csv, write_bytes

    codebook = load_codebook_or_fail(codebook_path)
    conn = open_db(db)
    try:
        segments = coded_segments(conn, codebook, min_confidence)
        if as_json:
            text = "".join(json.dumps(asdict(s), ensure_ascii=False) + "\n" for s in segments)
        else:
            text = segments_csv(segments)
        if file is None:
            sys.stdout.write(text)
        else:
            write_bytes(file, text.encode("utf-8"))
    except BpError as exc:
        fail(exc)
