"""The codebook as data: load and validate a TOML or YAML file of blocks and codes.

Kept in a data file (not Python constants) so a researcher can edit it or load a
codebook for another study; every problem is reported with the file, the line and the
entry at fault.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BpError

DEFAULT_CODEBOOK = Path("corpus/codebook.toml")


def default_codebook_path() -> Path:
    """The codebook to use when none is given: $BP_CODEBOOK, else the project's own."""
    return Path(os.environ.get("BP_CODEBOOK", str(DEFAULT_CODEBOOK)))


@dataclass(frozen=True)
class Block:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Code:
    id: str
    block: str
    name: str
    definition: str
    typical_words: tuple[str, ...]
    # More words and phrases for the same idea (synonyms, inflections, idiom): features
    # for the classifier, not part of the definition a human codes by.
    lexicon: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    name: str
    version: str
    blocks: tuple[Block, ...]
    codes: tuple[Code, ...]
    max_codes: int
    notes: tuple[str, ...]
    source: str
    sha256: str

    @property
    def code_ids(self) -> tuple[str, ...]:
        """Code ids in file order (the order reports and label matrices use)."""
        return tuple(c.id for c in self.codes)

    @property
    def block_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.blocks)

    def code(self, code_id: str) -> Code:
        """The code with this id; KeyError names it when unknown."""
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def block(self, block_id: str) -> Block:
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise KeyError(block_id)

    def block_of(self, code_id: str) -> str:
        return self.code(code_id).block

    def codes_in_block(self, block_id: str) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if c.block == block_id)

    def blocks_for(self, codes: Iterable[str]) -> tuple[str, ...]:
        """Block labels are derived from code labels, never annotated separately."""
        return tuple(sorted({self.block_of(c) for c in codes}))


_LINE_RE = re.compile(r"at line (\d+)")
Location = tuple  # ("codes", 3, "id"): the 3rd code's id; ("name",): a top-level field


class _Invalid(Exception):
    """A validation problem and where in the data it is; the loader adds the line."""

    def __init__(self, message: str, location: Location = ()):
        super().__init__(message)
        self.location = location


def _field(entry: dict[str, Any], key: str, kind: type, where: str, at: Location = ()) -> Any:
    if key not in entry:
        raise _Invalid(f"{where}: missing field {key!r}", at)
    value = entry[key]
    # bool is a subclass of int; a boolean max_codes is a mistake, not a number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Invalid(f"{where}: field {key!r} must be {kind.__name__}, got {type(value).__name__}", at + (key,))
    if kind is str and not value.strip():
        raise _Invalid(f"{where}: field {key!r} is empty", at + (key,))
    return value


def _str_list(entry: dict[str, Any], key: str, where: str, at: Location = ()) -> tuple[str, ...]:
    values = _field(entry, key, list, where, at)
    if not all(isinstance(v, str) for v in values):
        raise _Invalid(f"{where}: field {key!r} must be a list of strings", at + (key,))
    return tuple(values)


def _tables(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    entries = _field(data, key, list, "codebook")
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise _Invalid(f"{key} #{i}: must be a table ([[{key}]])", (key, i))
    return entries


def _label(kind: str, i: int, entry: dict[str, Any]) -> str:
    ident = entry.get("id")
    return f"{kind} #{i} ({ident})" if isinstance(ident, str) else f"{kind} #{i}"


# --- reading TOML and YAML, with the line of every entry and field -------------------------

TOML_TABLE = re.compile(r"^\s*\[\[\s*(\w+)\s*\]\]")
TOML_KEY = re.compile(r"^\s*([\w-]+)\s*=")


def _toml(text: str, path: Path) -> tuple[Any, dict[Location, int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = _LINE_RE.search(str(e))
        raise BpError(f"invalid TOML: {e}", path, int(m.group(1)) if m else None) from None
    lines: dict[Location, int] = {}
    table: Location = ()
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if m := TOML_TABLE.match(line):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
            table = (m.group(1), counts[m.group(1)])
            lines.setdefault(table, number)
        elif m := TOML_KEY.match(line):
            lines.setdefault(table + (m.group(1),), number)
    return data, lines


def _yaml(text: str, path: Path) -> tuple[Any, dict[Location, int]]:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(str(e.problem or e.context or "syntax error").split())
        raise BpError(f"invalid YAML: {problem}", path, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise BpError(f"invalid YAML: {' '.join(str(e).split())}", path) from None
    lines: dict[Location, int] = {}

    def walk(node, at: Location) -> None:
        lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines.setdefault(at + (key.value,), key.start_mark.line + 1)
                if isinstance(value, (yaml.MappingNode, yaml.SequenceNode)):
                    walk(value, at + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value, 1):
                walk(item, at + (i,))

    if root is not None:
        walk(root, ())
    return data, lines


CODE_ID = re.compile(r"^(?P<id>[A-Z]{1,3}\d{0,3})\s+(?P<name>\S.*)$")  # `A1 Stabiliteit`, as `bp export qdc` names codes


def _qdc(text: str, path: Path) -> tuple[Any, dict[Location, int]]:
    """A REFI-QDA codebook: parent codes are blocks, the codes inside them are codes.

    Code ids come from names written `A1 Name` (how `bp export qdc` writes them), else
    the whole name is the id. Such a codebook has no typical words: the classifier then
    learns from the annotations alone.
    """
    from xml.etree import ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise BpError(f"invalid REFI-QDA codebook XML: {e}", path, e.position[0]) from None
    ns = "{urn:QDA-XML:codebook:1.0}"
    codes_element = root.find(f"{ns}Codes")
    if root.tag != f"{ns}CodeBook" or codes_element is None:
        raise BpError("not a REFI-QDA codebook (expected CodeBook with Codes in urn:QDA-XML:codebook:1.0)", path)

    def split(element) -> tuple[str, str, str]:
        name = (element.get("name") or "").strip()
        m = CODE_ID.match(name)
        description = (element.findtext(f"{ns}Description") or "").strip()
        return (m.group("id"), m.group("name"), description or name) if m else (name, name, description or name)

    blocks, codes = [], []
    loose = []
    for top in codes_element.findall(f"{ns}Code"):
        children = top.findall(f".//{ns}Code")
        if not children:
            loose.append(top)
            continue
        block_id, block_name, block_description = split(top)
        blocks.append({"id": block_id, "name": block_name, "description": block_description})
        for child in children:
            cid, cname, definition = split(child)
            codes.append({"id": cid, "block": block_id, "name": cname, "definition": definition, "typical_words": []})
    if loose:  # codes without a parent share one block
        blocks.append({"id": "-", "name": "Codes", "description": "codes without a parent code"})
        for element in loose:
            cid, cname, definition = split(element)
            codes.append({"id": cid, "block": "-", "name": cname, "definition": definition, "typical_words": []})
    data = {"name": path.stem, "version": "qdc", "max_codes": 3, "blocks": blocks, "codes": codes}
    return data, {}


def _line(lines: dict[Location, int], location: Location) -> int | None:
    """The line of a location, or of the nearest enclosing entry that has one."""
    while location:
        if location in lines:
            return lines[location]
        location = location[:-1]
    return None


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook (TOML; YAML for .yaml/.yml; a REFI-QDA codebook for
    .qdc); the sha256 of its bytes pins results to it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BpError("codebook not found", path) from None
    except OSError as e:
        raise BpError(f"cannot read codebook: {e.strerror}", path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BpError(f"codebook is not valid UTF-8 (byte {e.start})", path) from None
    suffix = path.suffix.lower()
    reader = _yaml if suffix in (".yaml", ".yml") else _qdc if suffix == ".qdc" else _toml
    data, lines = reader(text, path)
    if not isinstance(data, dict):
        raise BpError("codebook: expected a mapping of name, version, max_codes, blocks and codes", path)
    try:
        return _validate(data, str(path), hashlib.sha256(raw).hexdigest())
    except _Invalid as e:
        raise BpError(str(e), path, _line(lines, e.location)) from None


def _validate(data: dict[str, Any], source: str, sha256: str) -> Codebook:
    name = _field(data, "name", str, "codebook")
    version = _field(data, "version", str, "codebook")
    max_codes = _field(data, "max_codes", int, "codebook")
    min_codes = _field(data, "min_codes", int, "codebook") if "min_codes" in data else 0
    if not 0 <= min_codes <= max_codes or max_codes < 1:
        raise _Invalid(f"codebook: need 0 <= min_codes <= max_codes and max_codes >= 1, "
                       f"got {min_codes} and {max_codes}", ("max_codes",))
    notes = _str_list(data, "notes", "codebook") if "notes" in data else ()

    blocks: list[Block] = []
    for i, entry in enumerate(_tables(data, "blocks"), 1):
        where, at = _label("block", i, entry), ("blocks", i)
        block = Block(*(_field(entry, k, str, where, at) for k in ("id", "name", "description")))
        if block.id in {b.id for b in blocks}:
            raise _Invalid(f"{where}: duplicate block id {block.id!r}", at + ("id",))
        blocks.append(block)

    block_ids = {b.id for b in blocks}
    codes: list[Code] = []
    for i, entry in enumerate(_tables(data, "codes"), 1):
        where, at = _label("code", i, entry), ("codes", i)
        cid, blk, cname, definition = (
            _field(entry, k, str, where, at) for k in ("id", "block", "name", "definition")
        )
        words = _str_list(entry, "typical_words", where, at)
        lexicon = _str_list(entry, "lexicon", where, at) if "lexicon" in entry else ()
        if cid in {c.id for c in codes}:
            raise _Invalid(f"{where}: duplicate code id {cid!r}", at + ("id",))
        if blk not in block_ids:
            raise _Invalid(f"{where}: block {blk!r} is not declared in [[blocks]]", at + ("block",))
        codes.append(Code(cid, blk, cname, definition, words, lexicon))
    if not codes:
        raise _Invalid("codebook: 'codes' is empty; declare at least one [[codes]] entry", ("codes",))

    return Codebook(
        name=name,
        version=version,
        blocks=tuple(blocks),
        codes=tuple(codes),
        max_codes=max_codes,
        notes=notes,
        source=source,
        sha256=sha256,
    )
