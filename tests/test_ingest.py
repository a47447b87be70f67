"""Invariants of the whole ingest stage, checked on generated texts (hypothesis)."""

from __future__ import annotations

import hashlib
import re

from hypothesis import HealthCheck, given, settings, strategies as st

from bestpersons_cli import store
from bestpersons_cli.ingest import ingest_document
from bestpersons_cli.records import RawDocument

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

    store.write_document(conn, ingest_document(raw(text), fallback))
    first = snapshot()
    store.write_document(conn, ingest_document(raw(text), fallback))
    assert snapshot() == first
