"""The `bp` command line: parse options, call the stage modules, render with rich.

No algorithm lives here. Heavy libraries (spaCy, scikit-learn) are imported inside the
commands that need them, so `bp --help` stays instant.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import store
from .errors import BpError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Code Dutch research texts about best persons into themes.")
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


def emit_jsonl(rows: Iterable[dict]) -> int:
    count = 0
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


# --- ingest -----------------------------------------------------------------------------------


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders of .txt/.md (default corpus/)."),
    db: Optional[Path] = DbOption,
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline name or folder (default nl_core_news_sm or $BP_SPACY_MODEL)."),
    force: bool = typer.Option(False, "--force", help="Re-ingest files whose content did not change."),
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
        report = ingest_paths(paths, conn, loaded, force=force, progress=lambda name: progress.update(task, description=f"ingest {name}", advance=1))
    for error in report.errors:
        err.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
    table = Table(title=f"Ingested with {loaded.info.name} {loaded.info.version}")
    for column in ("document", "sentences", "quotes", "dropped"):
        table.add_column(column, justify="left" if column == "document" else "right")
    for doc in report.ingested:
        table.add_row(doc.raw.name, str(len(doc.sentences)), str(len(doc.quotes)), str(len(doc.dropped)))
    for name in report.skipped:
        table.add_row(f"{name} (unchanged, skipped)", "", "", "")
    out.print(table)
    counts = store.dropped_counts(conn)
    if counts:
        out.print("dropped spans by reason: " + ", ".join(f"{reason} {n}" for reason, n in counts.items()), highlight=False)
    out.print(f"{len(report.ingested)} ingested, {len(report.skipped)} unchanged, {len(report.errors)} failed in {time.perf_counter() - started:.1f}s", highlight=False)
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


def main() -> None:  # pragma: no cover
    app()
