"""Finding input files and reading them into RawDocuments."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import BpError
from .records import RawDocument

SUFFIXES = (".txt", ".md")
WESTERN_ENCODINGS = ["cp1252", "iso8859_15", "latin_1", "mac_roman", "utf_16", "cp850"]  # Dutch texts
SKIPPED_NAMES = {"readme.md", "readme.txt", "license.md", "license.txt"}


def find_inputs(paths: list[Path]) -> tuple[list[Path], list[BpError]]:
    """Files to ingest: given files as they are; folders' own .txt/.md files, minus READMEs."""
    found: list[Path] = []
    errors: list[BpError] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES and p.name.lower() not in SKIPPED_NAMES)
            )
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                errors.append(BpError("not a .txt or .md file", path))
            else:
                found.append(path)
        else:
            errors.append(BpError("no such file or folder", path))
    unique = list(dict.fromkeys(found))
    return unique, errors


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; otherwise the encoding charset-normalizer detects."""
    if b"\x00" in data[:4096]:
        raise BpError("looks like a binary file, not text", path)
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=WESTERN_ENCODINGS).best()
    except ImportError:  # pragma: no cover - charset-normalizer ships with requests/spaCy
        best = None
    if best is None or best.encoding is None:
        raise BpError("cannot tell the text encoding", path)
    return str(best), best.encoding


def read_document(path: Path) -> RawDocument:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BpError(f"cannot read: {exc.strerror}", path) from None
    text, encoding = decode(data, path)
    if not text.strip():
        raise BpError("file is empty", path)
    return RawDocument(str(path), path.name, text, hashlib.sha256(data).hexdigest(), encoding)
