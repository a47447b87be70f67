"""The shipped codebook matches CODEBOOK.md, and a broken codebook is reported precisely."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bestpersons_cli.codebook import (
    DEFAULT_CODEBOOK,
    Codebook,
    default_codebook_path,
    load_codebook,
)
from bestpersons_cli.errors import BpError

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / DEFAULT_CODEBOOK

HEADER = 'name = "t"\nversion = "1"\nmax_codes = 3\n'
BLOCK_A = '[[blocks]]\nid = "A"\nname = "Behoeften"\ndescription = "needs"\n'


def code(cid: str, block: str = "A", **drop: bool) -> str:
    fields = {
        "id": f'"{cid}"',
        "block": f'"{block}"',
        "name": '"n"',
        "definition": '"d"',
        "typical_words": '["w"]',
    }
    body = "".join(f"{k} = {v}\n" for k, v in fields.items() if not drop.get(k))
    return "[[codes]]\n" + body


def write(tmp_path: Path, text: str, name: str = "cb.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_real_codebook_has_20_codes_in_6_blocks() -> None:
    cb = load_codebook(REAL)
    assert cb.block_ids == ("A", "B", "C", "D", "E", "W")
    assert len(cb.codes) == 20
    assert cb.code_ids == (
        "A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "D1", "D2",
        "E1", "E2", "E3", "E4", "W1", "W2", "W3", "W4", "W5",
    )
    for c in cb.codes:
        assert c.id[0] == c.block
        assert c.definition and c.typical_words
    assert cb.max_codes == 3
    assert [len(cb.codes_in_block(b)) for b in cb.block_ids] == [3, 2, 4, 2, 4, 5]
    assert cb.sha256 == hashlib.sha256(REAL.read_bytes()).hexdigest()


def test_real_codebook_text_is_from_codebook_md() -> None:
    cb = load_codebook(REAL)
    assert cb.code("A1").name == "Stabiliteit–ontwikkeling"
    assert cb.block("D").name == "Privé-context"
    assert cb.block("A").description == "needs of best persons"
    assert cb.code("C3").typical_words[-1] == "tegenwerking"
    assert "sociale innovatie" in cb.code("A1").typical_words
    assert cb.code("W1").definition.startswith('being present in the neighbourhood ("poten')
    assert any(n.startswith("E2 versus W3") for n in cb.notes)
    shared = Path("/work/shared/CODEBOOK.md")
    if shared.exists():
        md = shared.read_text(encoding="utf-8")
        for c in cb.codes:
            assert f"| {c.id} | {c.name} | {c.definition} | {', '.join(c.typical_words)} |" in md


def test_helpers() -> None:
    cb = load_codebook(REAL)
    assert cb.block_of("E3") == "E"
    assert cb.blocks_for(["W2", "A1", "A3", "C1"]) == ("A", "C", "W")
    assert cb.blocks_for([]) == ()
    assert [c.id for c in cb.codes_in_block("B")] == ["B1", "B2"]
    with pytest.raises(KeyError):
        cb.code("Z9")
    with pytest.raises(KeyError):
        cb.blocks_for(["Z9"])


def test_codebook_is_frozen() -> None:
    cb = load_codebook(REAL)
    assert isinstance(cb, Codebook)
    with pytest.raises(AttributeError):
        cb.max_codes = 5  # type: ignore[misc]


def test_default_path_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BP_CODEBOOK", raising=False)
    assert default_codebook_path() == Path("corpus/codebook.toml")
    monkeypatch.setenv("BP_CODEBOOK", "/x/other.toml")
    assert default_codebook_path() == Path("/x/other.toml")


def test_minimal_codebook_and_empty_block_allowed(tmp_path: Path) -> None:
    extra = '[[blocks]]\nid = "Z"\nname = "Leeg"\ndescription = "no codes yet"\n'
    cb = load_codebook(write(tmp_path, HEADER + BLOCK_A + extra + code("A1")))
    assert cb.code_ids == ("A1",)
    assert cb.block_ids == ("A", "Z")
    assert cb.codes_in_block("Z") == ()
    assert cb.notes == ()
    assert cb.source.endswith("cb.toml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BpError, match="nope.toml"):
        load_codebook(tmp_path / "nope.toml")


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, HEADER + "broken = \n")
    with pytest.raises(BpError) as e:
        load_codebook(p)
    assert e.value.path == str(p)
    assert e.value.line == 4
    assert str(e.value).startswith(f"{p}:4: invalid TOML")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEADER + BLOCK_A + code("A1") + code("A2") + code("B1", definition=True),
         "code #3 (B1): missing field 'definition'"),
        (HEADER + BLOCK_A + code("A1", typical_words=True), "code #1 (A1): missing field 'typical_words'"),
        (HEADER + BLOCK_A + code("A1", id=True), "code #1: missing field 'id'"),
        (HEADER + '[[blocks]]\nid = "A"\nname = "x"\n' + code("A1"),
         "block #1 (A): missing field 'description'"),
        (HEADER + BLOCK_A + code("A1") + code("A1"), "code #2 (A1): duplicate code id 'A1'"),
        (HEADER + BLOCK_A + BLOCK_A + code("A1"), "block #2 (A): duplicate block id 'A'"),
        (HEADER + BLOCK_A + code("A1") + code("Q1", block="Q"),
         "code #2 (Q1): block 'Q' is not declared"),
        (HEADER + "codes = []\n" + BLOCK_A, "'codes' is empty"),
        (HEADER + BLOCK_A, "missing field 'codes'"),
        (HEADER + code("A1"), "missing field 'blocks'"),
        ('name = "t"\nversion = "1"\n' + BLOCK_A + code("A1"), "missing field 'max_codes'"),
        ('name = "t"\nversion = "1"\nmax_codes = "3"\n' + BLOCK_A + code("A1"),
         "field 'max_codes' must be int, got str"),
        ('name = "t"\nversion = 1\nmax_codes = 3\n' + BLOCK_A + code("A1"),
         "field 'version' must be str"),
        (HEADER + BLOCK_A + code("A1").replace('typical_words = ["w"]', 'typical_words = "w"'),
         "code #1 (A1): field 'typical_words' must be list"),
        (HEADER + BLOCK_A + code("A1").replace('typical_words = ["w"]', "typical_words = [1]"),
         "code #1 (A1): field 'typical_words' must be a list of strings"),
        (HEADER + BLOCK_A + code("A1").replace('name = "n"', "name = 5"),
         "code #1 (A1): field 'name' must be str, got int"),
        (HEADER + BLOCK_A + code("A1").replace('definition = "d"', 'definition = ""'),
         "code #1 (A1): field 'definition' is empty"),
        (HEADER + "blocks = [1]\n" + code("A1"), "blocks #1: must be a table"),
        (HEADER + 'notes = ["ok", 2]\n' + BLOCK_A + code("A1"), "field 'notes' must be a list of strings"),
        ('name = "t"\nversion = "1"\nmax_codes = 0\n' + BLOCK_A + code("A1"), "max_codes >= 1"),
        (HEADER + BLOCK_A + code("A1") + 'lexicon = "w"\n', "code #1 (A1): field 'lexicon' must be list"),
    ],
)
def test_validation_errors_name_file_and_entry(tmp_path: Path, text: str, expected: str) -> None:
    p = write(tmp_path, text, "bad_codebook.toml")
    with pytest.raises(BpError) as e:
        load_codebook(p)
    assert "bad_codebook.toml" in str(e.value)
    assert expected in str(e.value)


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "latin.toml"
    p.write_bytes(b'name = "Priv\xe9"\n')
    with pytest.raises(BpError, match="latin.toml.*UTF-8"):
        load_codebook(p)


def test_lexicon_is_optional_and_loaded(tmp_path: Path) -> None:
    plain = load_codebook(write(tmp_path, HEADER + BLOCK_A + code("A1")))
    assert plain.codes[0].lexicon == ()
    enriched = load_codebook(write(tmp_path, HEADER + BLOCK_A + code("A1") + 'lexicon = ["x", "y z"]\n', "e.toml"))
    assert enriched.codes[0].lexicon == ("x", "y z")
    assert all(c.lexicon for c in load_codebook(REAL).codes)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


@pytest.mark.parametrize(
    ("text", "needle", "occurrence"),
    [
        (HEADER + BLOCK_A + code("A1") + code("A1"), 'id = "A1"', 2),
        (HEADER + BLOCK_A + BLOCK_A + code("A1"), 'id = "A"', 2),
        (HEADER + BLOCK_A + code("A1") + code("Q1", block="Q"), 'block = "Q"', 1),
        (HEADER + BLOCK_A + code("A1") + code("A2", definition=True), "[[codes]]", 2),
        (HEADER + BLOCK_A + code("A1").replace('name = "n"', "name = 5"), "name = 5", 1),
        ('name = "t"\nversion = "1"\nmax_codes = "3"\n' + BLOCK_A + code("A1"), "max_codes", 1),
    ],
)
def test_toml_validation_errors_name_the_line(tmp_path: Path, text: str, needle: str, occurrence: int) -> None:
    p = write(tmp_path, text)
    with pytest.raises(BpError) as e:
        load_codebook(p)
    assert e.value.line == line_of(text, needle, occurrence)
    assert str(e.value).startswith(f"{p}:{e.value.line}: ")


def test_yaml_codebook_loads_like_the_toml_one(tmp_path: Path) -> None:
    import tomllib

    import yaml

    data = tomllib.loads(REAL.read_text(encoding="utf-8"))
    p = write(tmp_path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "codebook.yaml")
    as_yaml, as_toml = load_codebook(p), load_codebook(REAL)
    assert as_yaml.codes == as_toml.codes and as_yaml.blocks == as_toml.blocks
    assert (as_yaml.name, as_yaml.version, as_yaml.max_codes) == (as_toml.name, as_toml.version, as_toml.max_codes)
    assert as_yaml.sha256 != as_toml.sha256  # results stay pinned to the file that was read


YAML_CODEBOOK = """\
name: t
version: "1"
max_codes: 3
blocks:
  - id: A
    name: Behoeften
    description: needs
codes:
  - id: A1
    block: A
    name: n
    definition: d
    typical_words: [w]
  - id: A1
    block: A
    name: n
    definition: d
    typical_words: [w]
"""


def test_yaml_errors_name_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, YAML_CODEBOOK, "cb.yml")
    with pytest.raises(BpError) as e:
        load_codebook(p)
    assert e.value.line == 14 and "duplicate code id 'A1'" in str(e.value)
    assert str(e.value).startswith(f"{p}:14: ")

    broken = write(tmp_path, YAML_CODEBOOK.replace("    name: n\n", "    name: [n\n", 1), "broken.yaml")
    with pytest.raises(BpError) as e:
        load_codebook(broken)
    assert str(e.value).startswith(f"{broken}:") and "invalid YAML" in str(e.value) and e.value.line is not None

    listing = write(tmp_path, "- just\n- a list\n", "list.yaml")
    with pytest.raises(BpError, match="list.yaml: codebook: expected a mapping"):
        load_codebook(listing)


def test_folder_given_as_codebook(tmp_path: Path) -> None:
    with pytest.raises(BpError, match=f"{tmp_path}: cannot read codebook"):
        load_codebook(tmp_path)
