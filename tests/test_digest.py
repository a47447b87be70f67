"""The Markdown digest: deterministic, well-formed, safe against corpus text, links resolve."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from bestpersons_cli import store
from bestpersons_cli.codebook import load_codebook
from bestpersons_cli.digest import log_odds, md_escape, mmr, write_digest

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "corpus" / "codebook.toml"
NASTY = "Een zin met | pijp, *ster*, _streep_ en <b>vet</b> erin."
ANCHOR_RE = re.compile(r'^<a id="([a-z0-9-]+)"></a>$')

SENTENCES = [
    # prefix, ordinal, kind, section, page, text, lemmas, {code: probability} (>= 0.5 is assigned)
    ("001", 1, "heading", None, None, "Best persons", "best persons", {}),
    ("001", 2, "text", "Inleiding", 3, "Stabiliteit is belangrijk voor best persons.",
     "stabiliteit zijn belangrijk voor best persons", {"A1": 0.9, "C3": 0.6}),
    ("001", 3, "text", "Inleiding", 3, "Stabiliteit is belangrijk voor best persons.",
     "stabiliteit zijn belangrijk voor best persons", {"A1": 0.88, "C3": 0.7}),
    ("001", 4, "text", "Inleiding", None, NASTY, "een zin met pijp ster streep en vet erin", {"A1": 0.7}),
    ("001", 5, "bullet", "Inleiding", None, "Ze werken samen met de gemeente.",
     "ze werken samen met de gemeente", {"C3": 0.8}),
    ("002", 1, "text", "# Kop | met pijp", None, "1. Passie drijft hen.", "passie drijven hen", {"A2": 0.95, "A1": 0.55}),
    ("002", 2, "text", None, 7, "Het geld raakte op in 2020.", "het geld raken op in 2020", {"C1": 0.6, "A1": 0.2}),
]
QUOTES = [
    # prefix, ordinal, kind, source_id, number, text, codes
    ("001", 1, "interview", "interview 2", 2, "Ik wil *stabiliteit* | en <b>rust</b>.", ["A1"]),
    ("001", 2, "interview", "interview 1", 1, "Passie, dat is het.\nEcht waar.", ["A2", "C3"]),
    ("002", 1, "interview", "interview 1", 1, "Het geld was op.", []),
    ("002", 2, "meeting", "bijeenkomst 25 november 2020", None, "professionele passanten", ["C3"]),
    ("002", 3, "literature", "Van den Brink, 2008: 1", None, "als het ware belichamen", ["A1"]),
]


def build_db(path: Path):
    conn = store.connect(path)
    with conn:
        for i, (prefix, fallback) in enumerate((("001", 1), ("002", 0)), 1):
            conn.execute(
                "INSERT INTO documents (id, name, prefix, path, sha256, encoding, title, nlp_pipeline, nlp_version,"
                " nlp_fallback, paragraphs, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (i, f"{prefix}_doc.txt", prefix, f"corpus/{prefix}_doc.txt", "0" * 64, "utf-8",
                 f"Titel {prefix} | <i>x</i>", "bp_fallback_nl" if fallback else "nl_core_news_sm", "1.0", fallback,
                 3, f"2026-01-0{i}T00:00:00+00:00"),
            )
        for n, (prefix, ordinal, kind, section, page, text, lemmas, probs) in enumerate(SENTENCES):
            uid = f"{prefix}-s{ordinal:04d}"
            conn.execute(
                "INSERT INTO sentences (uid, document_id, ordinal, paragraph, kind, section, page, start, \"end\","
                " text, lemmas, pos, tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (uid, 1 if prefix == "001" else 2, ordinal, 1, kind, section, page, n * 100, n * 100 + len(text),
                 text, lemmas, "", "[]"),
            )
            for code in ("A1", "A2", "C1", "C3"):
                p = probs.get(code, 0.01)
                conn.execute("INSERT INTO predictions VALUES ('sentence',?,?,?,?, 'm2')", (uid, code, p, int(p >= 0.5)))
            # An older model's predictions must be ignored.
            conn.execute("INSERT INTO predictions VALUES ('sentence',?,'B1',0.99,1,'m1')", (uid,))
        for prefix, ordinal, kind, source_id, number, text, codes in QUOTES:
            uid = f"{prefix}-q{ordinal:03d}"
            conn.execute(
                "INSERT INTO quotes (uid, document_id, ordinal, kind, source_id, number, text, start, \"end\","
                " first_sentence, last_sentence, section, page) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (uid, 1 if prefix == "001" else 2, ordinal, kind, source_id, number, text, 0, len(text), 1, 1,
                 "Citaten", 4),
            )
            for code in codes:
                conn.execute("INSERT INTO predictions VALUES ('quote',?,?,0.9,1,'m2')", (uid, code))
        card = {"id": "m2", "candidate": "words-lr", "nlp_pipeline": {"name": "bp_fallback_nl", "version": "1.0"},
                "cross_validation": {"micro_f1": 0.4115, "macro_f1": 0.4069, "block_micro_f1": 0.4871, "kappa": 0.3822}}
        conn.execute("INSERT INTO models VALUES ('m1', 'm1.skops', '{\"id\": \"m1\", \"candidate\": \"old\"}',"
                     " '2026-01-01T00:00:00+00:00')")
        conn.execute("INSERT INTO models VALUES ('m2', 'm2.skops', ?, '2026-02-01T00:00:00+00:00')", (json.dumps(card),))
    return conn


@pytest.fixture(scope="module")
def digest(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("digest")
    conn = build_db(tmp / "bp.sqlite")
    codebook = load_codebook(CODEBOOK)
    first = write_digest(conn, codebook, tmp / "one")
    second = write_digest(conn, codebook, tmp / "two")
    conn.close()
    return codebook, first, second


def parse(path: Path):
    return MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))


def inline_text(token) -> str:
    return "".join(c.content if c.type in ("text", "code_inline") else " " if c.type == "softbreak" else ""
                   for c in token.children or [])


def unescaped_pipes(line: str) -> int:
    count, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        count += line[i] == "|"
        i += 1
    return count


def test_files_and_determinism(digest):
    codebook, first, second = digest
    names = [p.name for p in first]
    assert names == ["index.md"] + [f"blok-{b.lower()}.md" for b in codebook.block_ids] + ["quotes.md"]
    assert [p.name for p in second] == names
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_every_code_has_its_section(digest):
    codebook, files, _ = digest
    for block in codebook.blocks:
        path = files[0].parent / f"blok-{block.id.lower()}.md"
        tokens = parse(path)
        h2 = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
        assert h2 == [f"{c.id} {c.name}" for c in codebook.codes_in_block(block.id)]


def test_tables_are_rectangular_and_no_corpus_html(digest):
    _, files, _ = digest
    tables = 0
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        tokens = parse(path)
        for t in tokens:
            if t.type == "table_open":
                tables += 1
                start, end = t.map
                widths = {unescaped_pipes(line) for line in lines[start:end]}
                assert len(widths) == 1, (path.name, lines[start:end])
            if t.type == "html_block":
                pytest.fail(f"raw HTML block in {path.name}: {t.content!r}")
            for c in t.children or []:
                if c.type == "html_inline":
                    assert re.fullmatch(r'<a id="[a-z0-9-]+">|</a>', c.content), (path.name, c.content)
        assert "<b>" not in "".join(
            c.content for t in tokens for c in (t.children or []) if c.type == "html_inline")
    assert tables >= 3
    blok_a = (files[0].parent / "blok-a.md").read_text(encoding="utf-8")
    # The nasty sentence is there, as text.
    texts = [inline_text(t) for t in parse(files[0].parent / "blok-a.md") if t.type == "inline"]
    assert any(NASTY in t for t in texts)
    assert "<b>" not in blok_a.replace("\\<b\\>", "")


def anchors_of(path: Path) -> set[str]:
    found = set()
    for t in parse(path):
        for c in t.children or []:
            if c.type == "html_inline":
                m = re.fullmatch(r'<a id="([a-z0-9-]+)">', c.content)
                if m:
                    found.add(m.group(1))
    return found


def test_internal_links_resolve(digest):
    _, files, _ = digest
    folder = files[0].parent
    anchors = {p.name: anchors_of(p) for p in files}
    links = 0
    for path in files:
        for t in parse(path):
            for c in t.children or []:
                if c.type != "link_open":
                    continue
                href = c.attrs["href"]
                assert not href.startswith(("http:", "https:")), href
                target, _, frag = href.partition("#")
                target = target or path.name
                assert (folder / target).is_file(), (path.name, href)
                if frag:
                    assert frag in anchors[target], (path.name, href)
                links += 1
    assert links > 20


def test_quotes_under_their_interview(digest):
    _, files, _ = digest
    tokens = parse(files[0].parent / "quotes.md")
    heading, in_quote, found = None, False, []
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            heading = inline_text(tokens[i + 1])
        elif t.type == "blockquote_open":
            in_quote = True
        elif t.type == "blockquote_close":
            in_quote = False
        elif t.type == "inline" and in_quote:
            found.append((heading, inline_text(t)))
    for prefix, ordinal, kind, source_id, number, text, codes in QUOTES:
        flat = " ".join(text.split())
        if kind == "interview":
            assert (f"Interview {number}", flat) in found
        elif kind == "meeting":
            assert ("Bijeenkomst", flat) in found
        else:
            assert ("Literatuur", flat) in found
    interview_headings = [h for h, _ in found if h.startswith("Interview")]
    assert interview_headings == sorted(interview_headings, key=lambda h: int(h.split()[1]))


def test_index_content(digest):
    _, files, _ = digest
    index = files[0].read_text(encoding="utf-8")
    assert "```mermaid" in index and "pie" in index
    assert "reservepipeline" in index  # one document came from the fallback pipeline
    assert "`m2`" in index and "words-lr" in index and "0,41" in index and "0,38" in index
    assert "[B1]" in index
    # Model m1's B1 predictions are ignored: B1 has no sentences.
    assert re.search(r"\| \[B1\]\(blok-b\.md#b1\) \| [^|]+ \| 0 \|", index)
    blok_b = (files[0].parent / "blok-b.md").read_text(encoding="utf-8")
    assert "Geen zinnen aan deze code toegekend." in blok_b


def test_md_escape():
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("# kop") == "\\# kop"
    assert md_escape("1. lijst") == "1\\. lijst"
    assert md_escape("7.8 Best persons") == "7.8 Best persons"
    assert md_escape("<b>x</b>\nnieuw") == "\\<b\\>x\\</b\\> nieuw"


def test_log_odds_word_only_in_code_ranks_first():
    target = ["stabiliteit gemeente werk", "stabiliteit bewoner werk", "stabiliteit wijk"]
    rest = ["gemeente werk bewoner", "wijk werk gemeente", "bewoner wijk werk", "werk gemeente"]
    top = log_odds(target, rest)
    assert top[0][0] == "stabiliteit"
    assert top[0][1] > 0 and all(top[0][1] >= z for _, z, _, _ in top)
    assert all(len(w) >= 3 and not w.isdigit() for w, *_ in log_odds(["ab 2020 12 ok"] * 3, ["iets"]))
    assert log_odds([], rest) == []


def test_mmr_does_not_pick_a_duplicate_twice():
    texts = ["stabiliteit belangrijk best persons", "stabiliteit belangrijk best persons",
             "gemeente financiering geld", "bewoner passie betrokkenheid"]
    picked = mmr(texts, [0.9, 0.9, 0.5, 0.4], k=3)
    assert len(picked) == 3 and len(set(picked)) == 3
    assert picked[0] == 0 and 1 not in picked
    assert mmr(texts[:2], [0.9, 0.9], k=3) == [0]
    assert mmr([], [], k=3) == []


def test_full_disk_leaves_the_old_digest_whole(tmp_path, monkeypatch):
    import errno

    from bestpersons_cli.errors import BpError

    conn = build_db(tmp_path / "bp.sqlite")
    codebook = load_codebook(CODEBOOK)
    out = tmp_path / "digest"
    out.mkdir()
    (out / "index.md").write_text("old index\n", encoding="utf-8")
    real_write = Path.write_bytes
    calls = []

    def write_until_full(self, data):
        calls.append(self.name)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_until_full)
    with pytest.raises(BpError, match="cannot write the digest: No space left on device"):
        write_digest(conn, codebook, out)
    assert (out / "index.md").read_text(encoding="utf-8") == "old index\n"
    assert sorted(p.name for p in out.iterdir()) == ["index.md"]


def test_output_folder_that_is_a_file(tmp_path):
    from bestpersons_cli.errors import BpError

    conn = build_db(tmp_path / "bp.sqlite")
    blocker = tmp_path / "digest"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(BpError) as caught:
        write_digest(conn, load_codebook(CODEBOOK), blocker)
    assert "cannot write the digest" in str(caught.value) and "digest" in str(caught.value)
