"""REFI-QDA project and codebook export, checked against the standard's schema, and the
flat CSV / JSON Lines export; on the corpus plus a Word report, a Word transcript and a PDF."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bestpersons_cli import store
from bestpersons_cli.cli import app
from bestpersons_cli.codebook import load_codebook
from conftest import CORPUS, ROOT, copy_db
from test_formats import pdf_report, word_report, word_transcript

runner = CliRunner()
SCHEMAS = Path(__file__).parent / "data"
NS = {"q": "urn:QDA-XML:project:1.0"}


def squeeze(text: str) -> str:
    """Line breaks in the file are spaces or nothing in a sentence (`doe-\ndemocratie`)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def classified(tmp_path_factory, corpus_db):
    folder = tmp_path_factory.mktemp("export")
    db = copy_db(corpus_db, folder / "bp.sqlite")
    inputs = folder / "in"
    inputs.mkdir()
    word_report(inputs / "rapport.docx")
    word_transcript(inputs / "interview_14.docx")
    pdf_report(inputs / "rapport.pdf")
    for command in (
        ["ingest", str(inputs), "--db", str(db)],
        ["train", "--db", str(db), "--no-written", "--gold", str(CORPUS / "annotations" / "gold.jsonl")],
        ["classify", "--db", str(db)],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
    return db


def export(db: Path, target: Path, *options: str) -> zipfile.ZipFile:
    result = runner.invoke(app, ["export", "qdpx", str(target), "--db", str(db), *options])
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(target)


def test_qdpx_is_valid_refi_qda_and_cuts_exactly_the_coded_text(classified, tmp_path):
    from lxml import etree

    archive = export(classified, tmp_path / "project.qdpx")
    project = etree.fromstring(archive.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "refi-qda-project.xsd")))
    assert schema.validate(project), schema.error_log.last_error

    conn = sqlite3.connect(classified)
    stored = {uid: text for uid, text in conn.execute("SELECT uid, text FROM sentences UNION ALL SELECT uid, text FROM quotes")}
    repaired = {  # selections with a logged repair inside are the cleaned text, not the file's
        uid for (uid,) in conn.execute(
            "SELECT t.uid FROM (SELECT uid, document_id, start, \"end\" FROM sentences UNION ALL"
            " SELECT uid, document_id, start, \"end\" FROM quotes) t JOIN dropped x ON x.document_id = t.document_id"
            " AND x.start >= t.start AND x.\"end\" <= t.\"end\""
        )
    }
    code_guids = {c.get("guid") for c in project.iterfind(".//q:CodeBook//q:Code", NS) if c.get("isCodable") == "true"}
    assert len(code_guids) == 20
    sources = project.findall(".//q:TextSource", NS)
    assert {s.get("name") for s in sources} >= {"rapport.docx", "interview_14.docx", "rapport.pdf", "002_f410c0906ac2745f.txt"}
    checked = 0
    for source in sources:
        text = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            uid = selection.get("name")
            assert 0 <= start < end <= len(text)
            if uid not in repaired:
                assert squeeze(text[start:end]) == squeeze(stored[uid]), uid
                checked += 1
            refs = [ref.get("targetGUID") for ref in selection.iterfind("q:Coding/q:CodeRef", NS)]
            assert refs and set(refs) <= code_guids
            assert re.search(r"p=[01]\.\d\d", selection.findtext("q:Description", namespaces=NS))
    assert checked > 500
    transcript = next(s for s in sources if s.get("name") == "interview_14.docx")
    assert any(sel.get("name").endswith("-q001") for sel in transcript.iterfind("q:PlainTextSelection", NS))


def test_qdpx_is_the_same_bytes_every_time(classified, tmp_path):
    export(classified, tmp_path / "one.qdpx")
    export(classified, tmp_path / "two.qdpx")
    assert (tmp_path / "one.qdpx").read_bytes() == (tmp_path / "two.qdpx").read_bytes()


def test_min_confidence_chooses_the_codes(classified, tmp_path):
    conn = sqlite3.connect(classified)
    assigned = conn.execute("SELECT count(*) FROM predictions WHERE assigned = 1").fetchone()[0]
    confident = conn.execute("SELECT count(*) FROM predictions WHERE probability >= 0.9").fetchone()[0]

    def codings(*options):
        project = export(classified, tmp_path / "p.qdpx", *options).read("project.qde")
        return project.count(b"<CodeRef ")

    assert codings() == assigned
    assert codings("--min-confidence", "0.9") == confident
    assert confident != assigned


def test_csv_and_json_lines_list_every_coded_segment(classified, tmp_path):
    conn = sqlite3.connect(classified)
    assigned = conn.execute("SELECT count(*) FROM predictions WHERE assigned = 1").fetchone()[0]
    result = runner.invoke(app, ["export", "csv", str(tmp_path / "codes.csv"), "--db", str(classified)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "codes.csv").read_text(encoding="utf-8"))))
    assert len(rows) == assigned
    assert {"document", "uid", "start", "end", "page", "code", "probability", "text"} <= set(rows[0])
    pdf_rows = [r for r in rows if r["document"] == "rapport.pdf"]
    assert all(r["page"] in {"1", "2", "3", "4"} for r in pdf_rows)
    lines = runner.invoke(app, ["export", "csv", "--json", "--db", str(classified)]).stdout.splitlines()
    assert [json.loads(line)["uid"] for line in lines] == [r["uid"] for r in rows]


def test_qdc_codebook_round_trip(tmp_path):
    from lxml import etree

    result = runner.invoke(app, ["export", "qdc", str(tmp_path / "schema1.qdc")])
    assert result.exit_code == 0, result.output
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "refi-qda-codebook.xsd")))
    assert schema.validate(etree.parse(str(tmp_path / "schema1.qdc"))), schema.error_log.last_error
    original, back = load_codebook(ROOT / "corpus" / "codebook.toml"), load_codebook(tmp_path / "schema1.qdc")
    assert back.blocks == original.blocks
    assert [(c.id, c.block, c.name, c.definition) for c in back.codes] == [(c.id, c.block, c.name, c.definition) for c in original.codes]
    listed = runner.invoke(app, ["codes", "--codebook", str(tmp_path / "schema1.qdc"), "--json"])
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 20


def test_a_codebook_from_another_qda_tool(tmp_path):
    (tmp_path / "nvivo.qdc").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">\n'
        '<Codes><Code guid="0a3c1cb1-2b44-4b1e-9d5b-6f1e7a1b2c3d" name="Eenzaamheid" isCodable="true">'
        "<Description>Zich alleen voelen in de wijk</Description></Code>"
        '<Code guid="1b3c1cb1-2b44-4b1e-9d5b-6f1e7a1b2c3d" name="Netwerk" isCodable="true">'
        '<Code guid="2c3c1cb1-2b44-4b1e-9d5b-6f1e7a1b2c3d" name="Buren" isCodable="true"/></Code></Codes></CodeBook>\n',
        encoding="utf-8",
    )
    codebook = load_codebook(tmp_path / "nvivo.qdc")
    assert [(c.id, c.block, c.definition) for c in codebook.codes] == [("Buren", "Netwerk", "Buren"), ("Eenzaamheid", "-", "Zich alleen voelen in de wijk")]
    (tmp_path / "kapot.qdc").write_text("<CodeBook><Codes>\n<Code", encoding="utf-8")
    with pytest.raises(Exception, match=r"kapot\.qdc:2: invalid REFI-QDA codebook XML"):
        load_codebook(tmp_path / "kapot.qdc")


def test_export_before_classifying_is_a_clear_error(tmp_path, corpus_db):
    db = copy_db(corpus_db, tmp_path / "bp.sqlite")
    result = runner.invoke(app, ["export", "qdpx", str(tmp_path / "p.qdpx"), "--db", str(db)])
    assert result.exit_code == 1 and "run `bp classify`" in result.stderr
    assert not (tmp_path / "p.qdpx").exists()


def test_a_schema_1_database_is_migrated_and_its_documents_ingested_again(tmp_path, fallback):
    path = tmp_path / "old.sqlite"
    conn = store.connect(path)
    conn.execute("ALTER TABLE documents DROP COLUMN text")  # the schema before texts were kept
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO documents (name, prefix, path, sha256, encoding, title, nlp_pipeline, nlp_version, nlp_fallback,"
        " paragraphs, ingested_at) VALUES ('a.txt', 'a', 'a.txt', 'x', 'utf-8', 'A', 'p', '1', 1, 1, 'then')"
    )
    conn.commit()
    conn.close()
    migrated = store.connect(path)
    assert migrated.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert store.document_texts(migrated) == {"a.txt": None}
    assert not store.is_unchanged(migrated, "a.txt", "x", "p", "1")  # so the next ingest stores its text
