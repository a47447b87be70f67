"""The codebook as data: load and validate a TOML file of blocks and codes.

Kept in a data file (not Python constants) so a researcher can edit it or load a
codebook for another study; every problem is reported with the file and entry at fault.
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


def _field(entry: dict[str, Any], key: str, kind: type, path: Path, where: str) -> Any:
    if key not in entry:
        raise BpError(f"{where}: missing field {key!r}", path)
    value = entry[key]
    # bool is a subclass of int; a boolean max_codes is a mistake, not a number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BpError(
            f"{where}: field {key!r} must be {kind.__name__}, got {type(value).__name__}", path
        )
    if kind is str and not value.strip():
        raise BpError(f"{where}: field {key!r} is empty", path)
    return value


def _str_list(entry: dict[str, Any], key: str, path: Path, where: str) -> tuple[str, ...]:
    values = _field(entry, key, list, path, where)
    if not all(isinstance(v, str) for v in values):
        raise BpError(f"{where}: field {key!r} must be a list of strings", path)
    return tuple(values)


def _tables(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    entries = _field(data, key, list, path, "codebook")
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise BpError(f"{key} #{i}: must be a table ([[{key}]])", path)
    return entries


def _label(kind: str, i: int, entry: dict[str, Any]) -> str:
    ident = entry.get("id")
    return f"{kind} #{i} ({ident})" if isinstance(ident, str) else f"{kind} #{i}"


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook; the sha256 of its bytes pins results to it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BpError("codebook not found", path) from None
    except OSError as e:
        raise BpError(f"cannot read codebook: {e.strerror}", path) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise BpError(f"codebook is not valid UTF-8 (byte {e.start})", path) from None
    except tomllib.TOMLDecodeError as e:
        m = _LINE_RE.search(str(e))
        raise BpError(f"invalid TOML: {e}", path, int(m.group(1)) if m else None) from None

    name = _field(data, "name", str, path, "codebook")
    version = _field(data, "version", str, path, "codebook")
    max_codes = _field(data, "max_codes", int, path, "codebook")
    min_codes = _field(data, "min_codes", int, path, "codebook") if "min_codes" in data else 0
    if not 0 <= min_codes <= max_codes or max_codes < 1:
        raise BpError(f"codebook: need 0 <= min_codes <= max_codes and max_codes >= 1, "
                      f"got {min_codes} and {max_codes}", path)
    notes = _str_list(data, "notes", path, "codebook") if "notes" in data else ()

    blocks: list[Block] = []
    for i, entry in enumerate(_tables(data, "blocks", path), 1):
        where = _label("block", i, entry)
        block = Block(*(_field(entry, k, str, path, where) for k in ("id", "name", "description")))
        if block.id in {b.id for b in blocks}:
            raise BpError(f"{where}: duplicate block id {block.id!r}", path)
        blocks.append(block)

    block_ids = {b.id for b in blocks}
    codes: list[Code] = []
    for i, entry in enumerate(_tables(data, "codes", path), 1):
        where = _label("code", i, entry)
        cid, blk, cname, definition = (
            _field(entry, k, str, path, where) for k in ("id", "block", "name", "definition")
        )
        words = _str_list(entry, "typical_words", path, where)
        lexicon = _str_list(entry, "lexicon", path, where) if "lexicon" in entry else ()
        if cid in {c.id for c in codes}:
            raise BpError(f"{where}: duplicate code id {cid!r}", path)
        if blk not in block_ids:
            raise BpError(f"{where}: block {blk!r} is not declared in [[blocks]]", path)
        codes.append(Code(cid, blk, cname, definition, words, lexicon))
    if not codes:
        raise BpError("codebook: 'codes' is empty; declare at least one [[codes]] entry", path)

    return Codebook(
        name=name,
        version=version,
        blocks=tuple(blocks),
        codes=tuple(codes),
        max_codes=max_codes,
        notes=notes,
        source=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
