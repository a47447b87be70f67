"""The SQLite store: schema, one transaction per document, and the queries the CLI needs.

Users can open the file with `sqlite3` or Datasette; `PRAGMA user_version` is the schema
version.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .errors import BpError

if TYPE_CHECKING:  # the ingest stage imports the store
    from .ingest import DocumentPart, DocumentStream

SCHEMA_VERSION = 2  # 2: documents keep their text, for exports that cut selections out of it
BUSY_TIMEOUT_SECONDS = 120
DEFAULT_WORKSPACE = Path(".bp")
DB_ENV = "BP_DB"

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    encoding TEXT NOT NULL,
    title TEXT NOT NULL,
    nlp_pipeline TEXT NOT NULL,
    nlp_version TEXT NOT NULL,
    nlp_fallback INTEGER NOT NULL,
    paragraphs INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    text TEXT
);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    kind TEXT NOT NULL,
    section TEXT,
    page INTEGER,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    lemmas TEXT NOT NULL,
    pos TEXT NOT NULL,
    tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_document ON sentences(document_id, ordinal);
CREATE TABLE IF NOT EXISTS quotes (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    number INTEGER,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    first_sentence INTEGER,
    last_sentence INTEGER,
    section TEXT,
    page INTEGER
);
CREATE INDEX IF NOT EXISTS quotes_document ON quotes(document_id, ordinal);
CREATE TABLE IF NOT EXISTS dropped (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    text TEXT NOT NULL,
    replacement TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dropped_document ON dropped(document_id, start);
CREATE TABLE IF NOT EXISTS models (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    card TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS predictions (
    target TEXT NOT NULL,          -- 'sentence' or 'quote'
    target_uid TEXT NOT NULL,
    code TEXT NOT NULL,
    probability REAL NOT NULL,
    assigned INTEGER NOT NULL,     -- probability at or above the code's threshold
    model_id TEXT NOT NULL,
    PRIMARY KEY (target, target_uid, code)
);
"""


def default_db_path() -> Path:
    return Path(os.environ.get(DB_ENV, DEFAULT_WORKSPACE / "bp.sqlite"))


def connect(path: Path, create: bool = True) -> sqlite3.Connection:
    if not create and not path.exists():
        raise BpError("no database here yet; run `bp ingest` first", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Another bp process may be writing: wait for its transaction rather than fail.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BpError(f"not a bp database: {exc}", path) from None
    if version not in (0, *MIGRATIONS, SCHEMA_VERSION):
        raise BpError(
            f"database schema {version} is not the supported {SCHEMA_VERSION}; ingest into a new database"
            " (--db NEW.sqlite) or delete this one",
            path,
        )
    with conn:
        while version in MIGRATIONS:
            conn.execute(MIGRATIONS[version])
            version += 1
        conn.executescript(SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn


# From schema N to N + 1. Documents stored before 2 have no text; `is_unchanged` then says
# they changed, so the next `bp ingest` stores them again, text included.
MIGRATIONS = {1: "ALTER TABLE documents ADD COLUMN text TEXT"}


def document_prefix(name: str) -> str:
    """`002_f410….txt` -> `002`: the short id sentence uids start with."""
    stem = name.rsplit(".", 1)[0]
    return stem.split("_", 1)[0] if "_" in stem else stem


def stored_document(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM documents WHERE name = ?", (name,)).fetchone()


def is_unchanged(conn: sqlite3.Connection, name: str, sha256: str, pipeline_name: str, pipeline_version: str) -> bool:
    row = stored_document(conn, name)
    return bool(
        row and row["sha256"] == sha256 and row["nlp_pipeline"] == pipeline_name and row["nlp_version"] == pipeline_version
        and row["text"] is not None
    )


def write_document(conn: sqlite3.Connection, doc: DocumentStream, parts: Iterable[DocumentPart] | None = None) -> tuple[int, int, int]:
    """Replace a document and everything derived from it, all or nothing.

    The parts (by default the document's own stream) are written as they come, in one
    transaction, so a large document is never held whole; pages and endnote numbers are
    settled at the end. Returns the counts of sentences, quotes and dropped spans.
    """
    name = doc.raw.name
    prefix = document_prefix(name)
    # Another document may already use the short id (`002_a.txt`, `002_b.txt`) or even the
    # stem (`rapport.docx`, `rapport.pdf`): then the stem, then the whole name.
    for candidate in (prefix, name.rsplit(".", 1)[0], name):
        prefix = candidate
        if not conn.execute("SELECT 1 FROM documents WHERE prefix = ? AND name != ?", (prefix, name)).fetchone():
            break
    counts = [0, 0, 0]
    with conn:
        old = stored_document(conn, name)
        if old is not None:
            conn.execute(
                "DELETE FROM predictions WHERE target_uid IN (SELECT uid FROM sentences WHERE document_id = :id"
                " UNION ALL SELECT uid FROM quotes WHERE document_id = :id)",
                {"id": old["id"]},
            )
            conn.execute("DELETE FROM documents WHERE id = ?", (old["id"],))
        cursor = conn.execute(
            "INSERT INTO documents (name, prefix, path, sha256, encoding, title, nlp_pipeline, nlp_version,"
            " nlp_fallback, paragraphs, ingested_at, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                name, prefix, doc.raw.path, doc.raw.sha256, doc.raw.encoding, "", doc.pipeline.name,
                doc.pipeline.version, int(doc.pipeline.is_fallback), 0,
                datetime.now(timezone.utc).isoformat(timespec="seconds"), doc.raw.text,
            ),
        )
        doc_id = cursor.lastrowid
        for part in doc if parts is None else parts:
            _write_part(conn, doc_id, prefix, part, first_quote=counts[1] + 1)
            counts = [counts[0] + len(part.sentences), counts[1] + len(part.quotes), counts[2] + len(part.dropped)]
        conn.execute("UPDATE documents SET title = ?, paragraphs = ? WHERE id = ?", (doc.title, doc.paragraphs, doc_id))
        for table, starts in (("sentences", doc.sentence_starts), ("quotes", doc.quote_starts)):
            conn.executemany(
                f"UPDATE {table} SET page = ? WHERE document_id = ? AND ordinal BETWEEN ? AND ?",
                [(page, doc_id, first, last) for page, first, last in page_runs(starts, doc.layout.page_of)],
            )
        conn.execute(
            "UPDATE dropped SET reason = 'note-number' WHERE document_id = ? AND reason = 'page-number'"
            " AND start NOT IN (SELECT value FROM json_each(?))",
            (doc_id, json.dumps(sorted(doc.layout.page_number_offsets))),
        )
    return counts[0], counts[1], counts[2]


def _write_part(conn: sqlite3.Connection, doc_id: int, prefix: str, part: DocumentPart, first_quote: int) -> None:
    conn.executemany(
        "INSERT INTO sentences (uid, document_id, ordinal, paragraph, kind, section, page, start, \"end\","
        " text, lemmas, pos, tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                sentence_uid(prefix, s.ordinal), doc_id, s.ordinal, s.paragraph, s.kind, s.section, s.page,
                s.start, s.end, s.text, s.lemmas, " ".join(t.pos for t in s.tokens if not t.punct),
                json.dumps([[t.text, t.lemma, t.pos] for t in s.tokens], ensure_ascii=False),
            )
            for s in part.sentences
        ],
    )
    conn.executemany(
        "INSERT INTO quotes (uid, document_id, ordinal, kind, source_id, number, text, start, \"end\","
        " first_sentence, last_sentence, section, page) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                f"{prefix}-q{i:03d}", doc_id, i, q.kind, q.source_id, q.number, q.text, q.start, q.end,
                q.first_sentence, q.last_sentence, q.section, q.page,
            )
            for i, q in enumerate(part.quotes, first_quote)
        ],
    )
    conn.executemany(
        "INSERT INTO dropped (document_id, start, \"end\", line, reason, text, replacement) VALUES (?,?,?,?,?,?,?)",
        [(doc_id, d.start, d.end, d.line, d.reason, d.text, d.replacement) for d in part.dropped],
    )


def page_runs(starts, page_of) -> list[tuple[int, int, int]]:
    """(page, first ordinal, last ordinal) of consecutive rows on one known page."""
    runs: list[tuple[int, int, int]] = []
    for ordinal, start in enumerate(starts, 1):
        page = page_of(start)
        if page is None:
            continue
        if runs and runs[-1][0] == page and runs[-1][2] == ordinal - 1:
            runs[-1] = (page, runs[-1][1], ordinal)
        else:
            runs.append((page, ordinal, ordinal))
    return runs


def sentence_uid(prefix: str, ordinal: int) -> str:
    return f"{prefix}-s{ordinal:04d}"


# --- queries ----------------------------------------------------------------------------------


def documents(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT d.id, d.name, d.prefix, d.path, d.sha256, d.encoding, d.title, d.nlp_pipeline, d.nlp_version,"
        " d.nlp_fallback, d.paragraphs, d.ingested_at,"
        " (SELECT COUNT(*) FROM sentences s WHERE s.document_id = d.id) AS sentences,"
        " (SELECT COUNT(*) FROM quotes q WHERE q.document_id = d.id) AS quotes,"
        " (SELECT COUNT(*) FROM dropped x WHERE x.document_id = d.id) AS dropped"
        " FROM documents d ORDER BY d.name"
    ).fetchall()


def document_texts(conn: sqlite3.Connection) -> dict[str, str | None]:
    """Each document's text as ingested (None for one stored before schema 2)."""
    return {name: text for name, text in conn.execute("SELECT name, text FROM documents ORDER BY name")}


def _document_filter(document: str | None) -> tuple[str, list]:
    if not document:
        return "", []
    return " AND (d.name = ? OR d.prefix = ? OR d.name LIKE ?)", [document, document, f"{document}%"]


def sentences(
    conn: sqlite3.Connection,
    document: str | None = None,
    section: str | None = None,
    interview: int | None = None,
    code: str | None = None,
    kind: str | None = None,
) -> Iterator[sqlite3.Row]:
    where, params = _document_filter(document)
    if section:
        where += " AND s.section LIKE ?"
        params.append(f"%{section}%")
    if kind:
        where += " AND s.kind = ?"
        params.append(kind)
    if interview is not None:
        where += (
            " AND EXISTS (SELECT 1 FROM quotes q WHERE q.document_id = s.document_id AND q.kind = 'interview'"
            " AND q.number = ? AND s.ordinal BETWEEN q.first_sentence AND q.last_sentence)"
        )
        params.append(interview)
    select_codes = ", (SELECT group_concat(code, ' ') FROM (SELECT code FROM predictions p WHERE p.target = 'sentence'" \
        " AND p.target_uid = s.uid AND p.assigned = 1 ORDER BY code)) AS codes"
    if code:
        where += " AND EXISTS (SELECT 1 FROM predictions p WHERE p.target = 'sentence' AND p.target_uid = s.uid AND p.assigned = 1 AND (p.code = ? OR substr(p.code, 1, length(?)) = ?))"
        params.extend([code, code, code])
    return conn.execute(
        "SELECT s.*, d.name AS document" + select_codes + " FROM sentences s JOIN documents d ON d.id = s.document_id"
        " WHERE 1=1" + where + " ORDER BY d.name, s.ordinal",
        params,
    )


def quotes(
    conn: sqlite3.Connection,
    document: str | None = None,
    section: str | None = None,
    interview: int | None = None,
    kind: str | None = None,
) -> Iterator[sqlite3.Row]:
    where, params = _document_filter(document)
    if section:
        where += " AND q.section LIKE ?"
        params.append(f"%{section}%")
    if interview is not None:
        where += " AND q.kind = 'interview' AND q.number = ?"
        params.append(interview)
    if kind:
        where += " AND q.kind = ?"
        params.append(kind)
    return conn.execute(
        "SELECT q.*, d.name AS document, (SELECT group_concat(code, ' ') FROM (SELECT code FROM predictions p"
        " WHERE p.target = 'quote' AND p.target_uid = q.uid AND p.assigned = 1 ORDER BY code)) AS codes"
        " FROM quotes q JOIN documents d ON d.id = q.document_id WHERE 1=1" + where + " ORDER BY d.name, q.ordinal",
        params,
    )


def dropped(conn: sqlite3.Connection, document: str | None = None, reason: str | None = None) -> Iterator[sqlite3.Row]:
    where, params = _document_filter(document)
    if reason:
        where += " AND x.reason = ?"
        params.append(reason)
    return conn.execute(
        "SELECT x.*, d.name AS document FROM dropped x JOIN documents d ON d.id = x.document_id"
        " WHERE 1=1" + where + " ORDER BY d.name, x.start",
        params,
    )


def dropped_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT reason, COUNT(*) FROM dropped GROUP BY reason ORDER BY reason")}


def row_dict(row: sqlite3.Row, drop: Iterable[str] = ()) -> dict:
    skip = set(drop)
    return {k: row[k] for k in row.keys() if k not in skip}
