"""Gold annotation files (JSON Lines, see CODEBOOK.md): read, validate, write.

A bad line is recorded as a problem and reading goes on, so an annotator sees every
mistake in one pass instead of fixing them one run at a time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .codebook import Codebook
from .errors import BpError

_FIELDS = ("id", "source", "text", "codes")
# Optional descriptive fields, kept in this order after `source` when present.
_DESCRIPTIVE = ("register", "domain", "document")
WRITTEN_SOURCE = "written"  # `source` of sentences written as training data, never gold

RecordCheck = Callable[[dict], "str | None"]


@dataclass(frozen=True)
class GoldSentence:
    id: str
    source: str
    text: str
    codes: tuple[str, ...]
    line: int
    register: str | None = None
    domain: str | None = None
    document: str | None = None  # written sentences that belong to one invented document

    @property
    def written(self) -> bool:
        return self.source == WRITTEN_SOURCE


@dataclass(frozen=True)
class GoldProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class GoldFile:
    """Valid sentences and problems of one or more files.

    sha256 is gold_sha256(sentences): it identifies the content, not the bytes, so a
    re-formatted file with the same annotations keeps its hash.
    """

    path: str
    sentences: tuple[GoldSentence, ...]
    problems: tuple[GoldProblem, ...]
    sha256: str


def _canonical_line(s: GoldSentence) -> str:
    record: dict[str, Any] = {"id": s.id, "source": s.source}
    for key in _DESCRIPTIVE:
        if getattr(s, key) is not None:
            record[key] = getattr(s, key)
    record.update(text=s.text, codes=sorted(s.codes))
    return json.dumps(record, ensure_ascii=False)


def _canonical(sentences: Iterable[GoldSentence]) -> str:
    return "".join(_canonical_line(s) + "\n" for s in sentences)


def gold_sha256(sentences: Iterable[GoldSentence]) -> str:
    """Hash of the canonical serialisation: equal content gives an equal hash."""
    return hashlib.sha256(_canonical(sentences).encode("utf-8")).hexdigest()


def write_gold(path: str | Path, sentences: Iterable[GoldSentence]) -> None:
    """Write canonical JSONL (fixed key order, sorted codes, LF) so diffs stay small."""
    try:
        Path(path).write_bytes(_canonical(sentences).encode("utf-8"))
    except OSError as e:
        raise BpError(f"cannot write gold file: {e.strerror}", path) from None


def _check_record(obj: Any, codebook: Codebook) -> str | None:
    """The first thing wrong with a parsed line, or None when it is a valid sentence."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    for key in _FIELDS:
        if key not in obj:
            return f"missing field {key!r}"
    for key in ("id", "source", "text") + tuple(k for k in _DESCRIPTIVE if k in obj):
        if not isinstance(obj[key], str):
            return f"field {key!r} must be a string, got {type(obj[key]).__name__}"
    if not obj["id"].strip():
        return "empty id"
    if not obj["text"].strip():
        return "empty text"
    codes = obj["codes"]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return "field 'codes' must be a list of code id strings"
    known = set(codebook.code_ids)
    unknown = [c for c in codes if c not in known]
    if unknown:
        names = ", ".join(repr(c) for c in unknown)
        plural = "s" if len(unknown) > 1 else ""
        return f"unknown code{plural} {names} (not in codebook {codebook.name!r})"
    seen: set[str] = set()
    for c in codes:
        if c in seen:
            return f"duplicate code {c!r}"
        seen.add(c)
    if len(codes) > codebook.max_codes:
        return f"{len(codes)} codes, at most {codebook.max_codes} allowed"
    return None


def _parse(
    path: Path, codebook: Codebook, first_seen: dict[str, tuple[str, int]], check: RecordCheck | None
) -> tuple[list[GoldSentence], list[GoldProblem]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BpError("gold file not found", path) from None
    except OSError as e:
        raise BpError(f"cannot read gold file: {e.strerror}", path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BpError(f"gold file is not valid UTF-8 (byte {e.start})", path) from None

    sentences: list[GoldSentence] = []
    problems: list[GoldProblem] = []
    # split("\n"), not splitlines(): U+2028 and friends may occur inside a JSON string.
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            message = f"not valid JSON: {e.msg} (column {e.colno})"
            problems.append(GoldProblem(str(path), lineno, message))
            continue
        message = _check_record(obj, codebook)
        if message is None and check is not None:
            message = check(obj)
        ident = obj.get("id") if isinstance(obj, dict) else None
        if isinstance(ident, str) and ident.strip():
            # Ids of invalid lines count too: fixing that line must not create a clash.
            if ident in first_seen:
                fpath, fline = first_seen[ident]
                where = f"line {fline}" if fpath == str(path) else f"{fpath}:{fline}"
                message = f"duplicate id {ident!r} (first on {where})"
            else:
                first_seen[ident] = (str(path), lineno)
        if message is not None:
            problems.append(GoldProblem(str(path), lineno, message))
            continue
        sentences.append(
            GoldSentence(
                obj["id"], obj["source"], obj["text"], tuple(sorted(obj["codes"])), lineno,
                register=obj.get("register"), domain=obj.get("domain"), document=obj.get("document"),
            )
        )
    return sentences, problems


def read_gold(path: str | Path, codebook: Codebook) -> GoldFile:
    """Read one gold file; malformed lines become problems, valid ones sentences."""
    return read_gold_files([path], codebook)


def read_gold_files(paths: Sequence[str | Path], codebook: Codebook, check: RecordCheck | None = None) -> GoldFile:
    """Concatenate several gold files; ids must be unique across all of them.

    `check` adds rules of a particular kind of file (see `written`): it gets each
    otherwise valid record and returns what is wrong with it, or None.
    """
    if not paths:
        raise BpError("no gold files given")
    first_seen: dict[str, tuple[str, int]] = {}
    sentences: list[GoldSentence] = []
    problems: list[GoldProblem] = []
    for p in paths:
        s, pr = _parse(Path(p), codebook, first_seen, check)
        sentences += s
        problems += pr
    return GoldFile(
        path=", ".join(str(p) for p in paths),
        sentences=tuple(sentences),
        problems=tuple(problems),
        sha256=gold_sha256(sentences),
    )
