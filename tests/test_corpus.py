"""Facts of the real corpus, as `bp ingest` stores it."""

import re
import sqlite3
from collections import Counter

import pytest

from conftest import CORPUS


@pytest.fixture(scope="module")
def db(corpus_db):
    conn = sqlite3.connect(corpus_db)
    conn.row_factory = sqlite3.Row
    return conn


def test_all_five_documents_are_ingested(db):
    names = [r[0] for r in db.execute("SELECT name FROM documents ORDER BY name")]
    assert names == sorted(p.name for p in CORPUS.glob("0*.txt"))
    assert len(names) == 5


def test_sixteen_interview_quotes_and_one_meeting_quote(db):
    rows = db.execute("SELECT kind, number FROM quotes WHERE kind IN ('interview', 'meeting')").fetchall()
    interviews = Counter(r["number"] for r in rows if r["kind"] == "interview")
    assert sum(interviews.values()) == 16
    assert interviews == {1: 2, 2: 2, 4: 3, 5: 1, 6: 3, 8: 1, 9: 1, 11: 1, 12: 2}
    assert [r["kind"] for r in rows].count("meeting") == 1


def test_quotes_span_sentences_and_point_back_to_the_original(db):
    original = (CORPUS / "002_f410c0906ac2745f.txt").read_text(encoding="utf-8")
    for row in db.execute("SELECT * FROM quotes"):
        assert row["first_sentence"] is not None and row["first_sentence"] <= row["last_sentence"]
        first_word = row["text"].split()[0]
        assert original[row["start"]:row["end"]].startswith(first_word[:3]), row["uid"]


def test_interview_five_is_the_ocr_misread_one(db):
    [row] = db.execute("SELECT text FROM quotes WHERE number = 5").fetchall()
    assert row["text"].startswith("Wat een woningcorporatie")


def test_no_line_end_hyphen_splits_left(db):
    texts = [r[0] for r in db.execute("SELECT text FROM sentences")]
    assert not [t for t in texts if re.search(r"\b(kwets-|om- geving|au- tonoom|bondge-)", t)]
    assert any("kwetsbare wijken" in t for t in texts)


def test_no_page_number_or_garbage_sentences(db):
    texts = [r[0] for r in db.execute("SELECT text FROM sentences")]
    assert not [t for t in texts if re.fullmatch(r"\s*\d{1,3}\s*", t)]
    assert not [t for t in texts if re.search(r"[@\\ﬁﬂ]|%[a-z]", t)]


def test_diaeresis_words_are_repaired(db):
    text = " ".join(r[0] for r in db.execute("SELECT text FROM sentences"))
    assert "ideeën" in text and "financiële" in text and "categorieën" in text
    assert "ideeén" not in text and "financiéle" not in text


def test_sentence_offsets_point_back_to_the_original(db):
    files = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("0*.txt")}
    for row in db.execute("SELECT s.start, s.\"end\", s.text, d.name FROM sentences s JOIN documents d ON d.id = s.document_id"):
        original = files[row["name"]][row["start"]:row["end"]]
        assert original[:2] == row["text"][:2], (row["name"], row["text"][:40])
        assert original[-1] == row["text"][-1] or row["text"][-1] in "ëö", (row["name"], row["text"][-40:])


def test_dropped_spans_are_logged_with_reasons(db):
    reasons = Counter(r[0] for r in db.execute("SELECT reason FROM dropped"))
    for reason in ("garbage-line", "page-number", "footnote-mark", "line-end-hyphen", "diaeresis"):
        assert reasons[reason] > 0, reason


def test_every_document_records_its_pipeline(db):
    for row in db.execute("SELECT nlp_pipeline, nlp_version FROM documents"):
        assert row["nlp_pipeline"] and row["nlp_version"]


def test_sections_and_pages(db):
    sections = {r[0] for r in db.execute("SELECT DISTINCT section FROM sentences WHERE section IS NOT NULL")}
    assert {"Autonoom samenwerken", "De invloed van de werkcontext", "Eindnoten"} <= sections
    pages = {r[0] for r in db.execute("SELECT DISTINCT page FROM sentences WHERE page IS NOT NULL")}
    assert {29, 30} <= pages
