"""The written training corpus: loading, validation with file and line, composition,
and the rule that written sentences are never an evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bestpersons_cli.codebook import Codebook, load_codebook
from bestpersons_cli.errors import BpError
from bestpersons_cli.gold import GoldSentence, read_gold, write_gold
from bestpersons_cli.written import DEFAULT_FOLDER, REGISTERS, composition, read_written, refuse_written

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / DEFAULT_FOLDER


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook(ROOT / "corpus" / "codebook.toml")


def rec(id: str = "w-1", codes: list[str] | None = None, **over: object) -> str:
    obj: dict[str, object] = {"id": id, "source": "written", "register": "local-news", "domain": "food-bank",
                              "text": "De voedselbank zoekt een nieuwe locatie.", "codes": codes or []}
    obj.update(over)
    obj = {k: v for k, v in obj.items() if v is not None}
    return json.dumps(obj, ensure_ascii=False)


def write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_valid_file_keeps_register_and_domain(tmp_path: Path, cb: Codebook) -> None:
    write(tmp_path, "a.jsonl", [rec("w-1", ["C1", "B2"]), rec("w-2", register="portrait", domain="youth-work")])
    wf = read_written(tmp_path, cb)
    assert not wf.problems
    first, second = wf.sentences
    assert first.codes == ("B2", "C1") and first.written
    assert (second.register, second.domain) == ("portrait", "youth-work")


@pytest.mark.parametrize(
    "line, message",
    [
        (rec(source="002.txt"), "source must be 'written'"),
        (rec(register=None), "missing field 'register'"),
        (rec(domain=None), "missing field 'domain'"),
        (rec(register="blog"), "unknown register 'blog'"),
        (rec(domain="Food Bank"), "domain 'Food Bank'"),
        (rec(codes=["Q7"]), "unknown code 'Q7'"),
        (rec(codes=["A1", "A2", "A3", "B1"]), "4 codes, at most 3"),
        (rec(register=3), "field 'register' must be a string"),
        ("{broken", "not valid JSON"),
    ],
)
def test_each_problem_names_file_and_line(tmp_path: Path, cb: Codebook, line: str, message: str) -> None:
    path = write(tmp_path, "t.jsonl", [rec("ok-1"), line, rec("ok-2")])
    wf = read_written(tmp_path, cb)
    [problem] = wf.problems
    assert str(problem).startswith(f"{path}:2: ") and message in str(problem)
    assert [s.id for s in wf.sentences] == ["ok-1", "ok-2"]


def test_duplicate_id_across_files(tmp_path: Path, cb: Codebook) -> None:
    write(tmp_path, "a.jsonl", [rec("w-1")])
    b = write(tmp_path, "b.jsonl", [rec("w-2"), rec("w-1")])
    [problem] = read_written(tmp_path, cb).problems
    assert str(problem).startswith(f"{b}:2: duplicate id 'w-1'") and "a.jsonl:1" in str(problem)


def test_folder_reads_only_its_own_jsonl_files(tmp_path: Path, cb: Codebook) -> None:
    write(tmp_path, "b.jsonl", [rec("w-b")])
    write(tmp_path, "a.jsonl", [rec("w-a")])
    write(tmp_path, "notes.md", ["# not data"])
    write(tmp_path / "qc", "second.jsonl", ["not even json"])
    assert [s.id for s in read_written(tmp_path, cb).sentences] == ["w-a", "w-b"]
    assert [s.id for s in read_written(tmp_path / "a.jsonl", cb).sentences] == ["w-a"]


def test_missing_or_empty_location(tmp_path: Path, cb: Codebook) -> None:
    with pytest.raises(BpError, match="training corpus not found"):
        read_written(tmp_path / "absent", cb)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BpError, match="no .jsonl files"):
        read_written(tmp_path / "empty", cb)


def test_canonical_write_keeps_descriptive_fields(tmp_path: Path, cb: Codebook) -> None:
    s = GoldSentence("w-1", "written", "Zij stopt na twintig jaar.", ("E4",), 1, register="farewell", domain="library")
    write_gold(tmp_path / "x.jsonl", [s])
    line = (tmp_path / "x.jsonl").read_text(encoding="utf-8")
    assert list(json.loads(line)) == ["id", "source", "register", "domain", "text", "codes"]
    assert read_written(tmp_path / "x.jsonl", cb).sentences[0].register == "farewell"


def test_composition_counts() -> None:
    sentences = [
        GoldSentence("1", "written", "a", ("A1", "C1"), 1, "portrait", "food-bank"),
        GoldSentence("2", "written", "b", (), 2, "portrait", "library"),
        GoldSentence("3", "002.txt", "c", ("A1",), 3),
    ]
    c = composition(sentences)
    assert c["sentences"] == 3 and c["no_theme"] == 1
    assert c["per_code"] == {"A1": 2, "C1": 1}
    assert c["per_source"] == {"002.txt": 1, "written": 2}
    assert c["per_register"] == {"portrait": 2} and c["domains"] == 2 and c["documents"] == 0


def test_refuse_written_names_file_and_line(tmp_path: Path, cb: Codebook) -> None:
    path = write(tmp_path, "g.jsonl", [json.dumps({"id": "g1", "source": "x", "text": "Zin.", "codes": []}), rec("w-9")])
    gold = read_gold(path, cb)
    with pytest.raises(BpError) as caught:
        refuse_written(gold)
    assert str(caught.value).startswith(f"{path}:2: ") and "never an evaluation set" in str(caught.value)


# --- the committed corpus -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def committed(cb: Codebook):
    return read_written(TRAINING, cb)


def test_committed_corpus_is_valid_and_large(committed, cb: Codebook) -> None:
    assert not committed.problems, [str(p) for p in committed.problems[:5]]
    c = composition(committed.sentences)
    assert c["sentences"] >= 6000
    assert min(c["per_code"].get(code, 0) for code in cb.code_ids) >= 200, c["per_code"]
    assert 0.18 <= c["no_theme"] / c["sentences"] <= 0.35
    assert set(c["per_register"]) == set(REGISTERS)
    assert c["domains"] >= 10


def test_committed_corpus_has_no_duplicates_and_nothing_from_the_gold(committed, cb: Codebook) -> None:
    def norm(t: str) -> str:
        return " ".join(t.lower().split())

    texts = [norm(s.text) for s in committed.sentences]
    assert len(set(texts)) == len(texts)
    gold = {norm(s.text) for s in read_gold(ROOT / "corpus" / "annotations" / "gold.jsonl", cb).sentences}
    assert not gold & set(texts)
