"""Invariants of the whole ingest stage, checked on generated texts (hypothesis), and long
documents processed part by part."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bestpersons_cli import ingest, store
from bestpersons_cli.ingest import DocumentStream, ingest_document, part_bounds
from bestpersons_cli.records import RawDocument
from bestpersons_cli.sources import read_document
from conftest import ESSAY

WORDS = ["de", "wijk", "Buurthuis", "vrijwilligers", "kwets-\nbare", "ideeén", "werken", "zegt", "Ahmed", "2019", "café",
         "Cafe\u0301", "\ufb01nanciering", "\u00a0", "\u200b", "“echt”", "(zo)", "interview", "[interview 3]", "wijk.5", "12"]
SEPARATORS = [" ", " ", " ", ". ", "? ", "! ", ", ", ": ", "\n", "\n\n", "\r\n", "\t"]
texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=80).map(
    lambda parts: "".join(w + s for w, s in parts)
)


def raw(text: str) -> RawDocument:
    return RawDocument("gen.txt", "gen.txt", text, hashlib.sha256(text.encode()).hexdigest(), "utf-8")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_sentences_point_at_their_text_and_nothing_is_lost(fallback, text):
    doc = ingest_document(raw(text), fallback)
    replaced = sorted(doc.dropped, key=lambda d: d.start)
    for s in doc.sentences:
        # The original span with every logged repair inside it applied gives the sentence.
        expected, cursor = [], s.start
        for d in replaced:  # a repair inside a dropped line is part of that line's span
            if s.start <= d.start and d.end <= s.end and d.start >= cursor:
                expected.append(text[cursor:d.start] + d.replacement)
                cursor = d.end
        expected.append(text[cursor:s.end])
        assert squeeze("".join(expected)) == squeeze(s.text), (s.text, text[s.start:s.end])
    # Every non-whitespace character is in a sentence or a dropped span, in order.
    covered = [False] * len(text)
    for start, end in [(s.start, s.end) for s in doc.sentences] + [(d.start, d.end) for d in doc.dropped]:
        for i in range(start, end):
            covered[i] = True
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace() and ch not in "\u200b")
    assert [s.start for s in doc.sentences] == sorted(s.start for s in doc.sentences)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_ingesting_twice_changes_nothing(fallback, tmp_path_factory, text):
    conn = store.connect(tmp_path_factory.mktemp("twice") / "bp.sqlite")

    def snapshot():
        sentences = conn.execute('SELECT uid, ordinal, start, "end", text, lemmas FROM sentences ORDER BY uid')
        dropped = conn.execute('SELECT start, "end", reason, text FROM dropped ORDER BY start, reason')
        return [tuple(r) for r in sentences], [tuple(r) for r in dropped]

    store.write_document(conn, DocumentStream(raw(text), fallback))
    first = snapshot()
    store.write_document(conn, DocumentStream(raw(text), fallback))
    assert snapshot() == first


def test_parts_cover_the_text_and_are_cut_at_the_best_place():
    text = ESSAY.read_text(encoding="utf-8")
    bounds = part_bounds(text, 5_000)
    assert len(bounds) > 10 and bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    for start, _ in bounds[1:]:
        assert 5_000 <= start - max(s for s, _ in bounds if s < start) <= 20_000
        assert text[start - 1] == "\n"  # always at a line break
    safe = [start for start, _ in bounds[1:] if re.search(r"[.!?…][\"”’)\]]*[ \t]*\n$", text[:start]) and text[start:].lstrip(" \t").startswith("\n")]
    assert len(safe) >= len(bounds) // 2  # mostly after a sentence end, before a blank line
    assert part_bounds(text) == [(0, len(text))]  # an ordinary document is one part


def test_parts_of_unusual_texts():
    assert part_bounds("woord " * 1000, 100) == [(0, 6000)]  # no line break: no place to cut
    old_mac = "Een zin.\r\rNog een zin.\r" * 40
    bounds = part_bounds(old_mac, 100)
    assert len(bounds) > 1 and all(old_mac[start - 1] == "\r" for start, _ in bounds[1:])
    windows = "Een zin.\r\n\r\nNog een zin.\r\n" * 40
    assert all(windows[start - 2:start] == "\r\n" for start, _ in part_bounds(windows, 100)[1:])


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_long_document_in_parts_gives_what_it_gives_whole(fallback, newline):
    raw_document = raw(read_document(ESSAY).text.replace("\n", newline))
    whole = ingest_document(raw_document, fallback)
    parts = ingest_document(raw_document, fallback, part_chars=10_000)
    assert len(part_bounds(raw_document.text, 10_000)) >= 8
    assert parts.sentences == whole.sentences
    assert parts.quotes == whole.quotes
    assert parts.dropped == whole.dropped
    assert (parts.title, parts.paragraphs) == (whole.title, whole.paragraphs)
    assert sum(s.page is not None for s in whole.sentences) > 50  # pages were really assigned


def test_stored_in_parts_as_whole(fallback, tmp_path):
    raw_document = read_document(ESSAY)
    tables = 'SELECT * FROM sentences ORDER BY id', 'SELECT * FROM quotes ORDER BY id', 'SELECT * FROM dropped ORDER BY id'
    rows = []
    for name, size in (("whole", ingest.PART_CHARS), ("parts", 10_000)):
        conn = store.connect(tmp_path / f"{name}.sqlite")
        counts = store.write_document(conn, DocumentStream(raw_document, fallback, size))
        rows.append(([[tuple(r) for r in conn.execute(q)] for q in tables], counts))
        assert conn.execute("SELECT title, paragraphs FROM documents").fetchone()[1] == 190
    assert rows[0] == rows[1]
    assert any(r[-1] == "note-number" or "note-number" in r for r in rows[0][0][2])


def test_parts_are_cleaned_only_a_little_ahead_of_storage(fallback, monkeypatch):
    """Memory stays bounded: spaCy reads at most a batch of paragraphs ahead, so a long
    document is never cleaned whole before its first part is stored."""
    cleaned = []
    real_clean = ingest.clean_text
    monkeypatch.setattr(ingest, "clean_text", lambda text, *a, **k: cleaned.append(len(text)) or real_clean(text, *a, **k))
    raw_document = read_document(ESSAY)
    parts = len(part_bounds(raw_document.text, 5_000))
    ahead = []
    for taken, _ in enumerate(DocumentStream(raw_document, fallback, part_chars=5_000), 1):
        ahead.append(len(cleaned) - taken)
    assert parts >= 15 and len(ahead) == parts
    assert max(ahead) <= 6  # one spaCy batch is 64 paragraphs, a part here about 13
