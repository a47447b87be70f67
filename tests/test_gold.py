"""Gold files: canonical round-trip, and every malformed line reported on its own line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bestpersons_cli.codebook import Codebook, load_codebook
from bestpersons_cli.errors import BpError
from bestpersons_cli.gold import (
    GoldProblem,
    GoldSentence,
    gold_sha256,
    read_gold,
    read_gold_files,
    write_gold,
)

REAL = Path(__file__).resolve().parents[1] / "corpus" / "codebook.toml"


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook(REAL)


def rec(id: object = "s1", codes: list[str] | None = None, **over: object) -> str:
    obj: dict[str, object] = {"id": id, "source": "002.txt", "text": "Een zin.", "codes": codes or []}
    obj.update(over)
    return json.dumps(obj, ensure_ascii=False)


def write(tmp_path: Path, lines: list[str], name: str = "gold.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


SENTENCES = (
    GoldSentence("002-s1", "002.txt", "Gemeenten moeten langer lopende financiering bieden.", ("A1", "C1"), 1),
    GoldSentence("002-s2", "002.txt", "Literatuur — “citaat” met é en \u2028 erin.", (), 2),
    GoldSentence("002-s3", "interview", "Ze zet een pilot op.", ("E2", "W3"), 3),
)


def test_round_trip(tmp_path: Path, cb: Codebook) -> None:
    p = tmp_path / "g.jsonl"
    write_gold(p, SENTENCES)
    gf = read_gold(p, cb)
    assert gf.problems == ()
    assert gf.sentences == SENTENCES
    assert gf.sha256 == gold_sha256(SENTENCES)
    again = tmp_path / "g2.jsonl"
    write_gold(again, gf.sentences)
    assert again.read_bytes() == p.read_bytes()


def test_write_is_canonical(tmp_path: Path) -> None:
    p = tmp_path / "g.jsonl"
    write_gold(p, [GoldSentence("x", "src", "Één zin.", ("C3", "A2"), 7)])
    text = p.read_text(encoding="utf-8")
    assert text == '{"id": "x", "source": "src", "text": "Één zin.", "codes": ["A2", "C3"]}\n'
    write_gold(p, [])
    assert p.read_bytes() == b""


def test_codes_sorted_blank_lines_skipped_crlf(tmp_path: Path, cb: Codebook) -> None:
    p = tmp_path / "g.jsonl"
    p.write_bytes(("\r\n" + rec("a", ["W5", "A1"]) + "\r\n\r\n   \r\n" + rec("b") + "\r\n").encode())
    gf = read_gold(p, cb)
    assert gf.problems == ()
    assert [(s.id, s.codes, s.line) for s in gf.sentences] == [("a", ("A1", "W5"), 2), ("b", (), 5)]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ('{"id": "x", "codes": [', "not valid JSON"),
        ('["s9", "t"]', "expected a JSON object, got list"),
        ('"just a string"', "expected a JSON object, got str"),
        (json.dumps({"id": "x", "source": "s", "codes": []}), "missing field 'text'"),
        (json.dumps({"id": "x", "source": "s", "text": "t"}), "missing field 'codes'"),
        (rec("x", text=5), "field 'text' must be a string, got int"),
        (rec(12), "field 'id' must be a string, got int"),
        (rec("x", source=None), "field 'source' must be a string, got NoneType"),
        (rec("x", codes="A1"), "field 'codes' must be a list"),
        (rec("x", codes=["A1", 2]), "field 'codes' must be a list"),
        (rec("x", text="   "), "empty text"),
        (rec(""), "empty id"),
        (rec("x", ["A1", "Z9"]), "unknown code 'Z9'"),
        (rec("x", ["a1"]), "unknown code 'a1'"),
        (rec("x", ["A1", "A2", "A3", "B1"]), "4 codes, at most 3 allowed"),
        (rec("x", ["C1", "C1"]), "duplicate code 'C1'"),
        (rec("s1", ["B1"]), "duplicate id 's1' (first on line 1)"),
    ],
)
def test_malformed_line_is_reported_and_reading_continues(
    tmp_path: Path, cb: Codebook, bad: str, expected: str
) -> None:
    p = write(tmp_path, [rec("s1", ["A1"]), "", bad, rec("s2", ["C2"])])
    gf = read_gold(p, cb)
    assert len(gf.problems) == 1
    problem = gf.problems[0]
    assert (problem.path, problem.line) == (str(p), 3)
    assert expected in problem.message
    assert str(problem) == f"{p}:3: {problem.message}"
    assert [s.id for s in gf.sentences] == ["s1", "s2"]
    assert [s.line for s in gf.sentences] == [1, 4]


def test_several_problems_each_on_its_line(tmp_path: Path, cb: Codebook) -> None:
    p = write(tmp_path, ["not json", rec("a", ["X1"]), rec("a"), rec("b"), rec("b", ["A1"])])
    gf = read_gold(p, cb)
    assert [(q.line, q.message) for q in gf.problems] == [
        (1, gf.problems[0].message),
        (2, "unknown code 'X1' (not in codebook 'bestpersons-schema1')"),
        (3, "duplicate id 'a' (first on line 2)"),
        (5, "duplicate id 'b' (first on line 4)"),
    ]
    assert gf.problems[0].message.startswith("not valid JSON")
    assert [s.id for s in gf.sentences] == ["b"]


def test_problem_str() -> None:
    assert str(GoldProblem("g.jsonl", 12, "empty text")) == "g.jsonl:12: empty text"


def test_missing_file(tmp_path: Path, cb: Codebook) -> None:
    with pytest.raises(BpError, match="absent.jsonl"):
        read_gold(tmp_path / "absent.jsonl", cb)


def test_undecodable_file(tmp_path: Path, cb: Codebook) -> None:
    p = tmp_path / "latin1.jsonl"
    p.write_bytes(rec("x").encode()[:-2] + b'\xe9"}\n')
    with pytest.raises(BpError) as e:
        read_gold(p, cb)
    assert "latin1.jsonl" in str(e.value) and "UTF-8" in str(e.value)


def test_read_gold_files_concatenates(tmp_path: Path, cb: Codebook) -> None:
    a = write(tmp_path, [rec("a1", ["A1"]), rec("a2")], "a.jsonl")
    b = write(tmp_path, [rec("b1", ["W4"]), rec("a1")], "b.jsonl")
    gf = read_gold_files([a, b], cb)
    assert [s.id for s in gf.sentences] == ["a1", "a2", "b1"]
    assert [str(q) for q in gf.problems] == [f"{b}:2: duplicate id 'a1' (first on {a}:1)"]
    assert gf.sha256 == gold_sha256(gf.sentences)
    with pytest.raises(BpError):
        read_gold_files([], cb)


def test_gold_sha256_stable(tmp_path: Path, cb: Codebook) -> None:
    h = gold_sha256(SENTENCES)
    assert h == gold_sha256(list(SENTENCES))
    assert len(h) == 64
    # Same content with other formatting, code order and line numbers: same hash.
    loose = [
        json.dumps({"codes": list(reversed(s.codes)), "text": s.text, "source": s.source, "id": s.id})
        for s in SENTENCES
    ]
    p = write(tmp_path, ["", *loose])
    assert read_gold(p, cb).sha256 == h
    changed = SENTENCES[:2] + (GoldSentence("002-s3", "interview", "Ze zet een pilot op.", ("E2",), 3),)
    assert gold_sha256(changed) != h
    assert gold_sha256(reversed(SENTENCES)) != h
