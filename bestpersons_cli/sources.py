"""Finding input files and reading them into RawDocuments."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from .errors import BpError
from .records import RawDocument

SUFFIXES = (".txt", ".md", ".docx", ".pdf")
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
                errors.append(BpError("not a .txt, .md, .docx or .pdf file", path))
            else:
                found.append(path)
        else:
            errors.append(BpError("no such file or folder", path))
    unique = list(dict.fromkeys(found))
    return unique, errors


BYTE_ORDER_MARKS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20))
MAX_CONTROL_SHARE = 0.001  # a stray NUL in a text is dropped by cleaning; more mean a binary file


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """A byte-order mark decides; then UTF-8; otherwise the encoding charset-normalizer detects."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise BpError(f"starts with a {encoding} byte-order mark but is not valid {encoding} (byte {exc.start})", path) from None
    if len(data) - len(data.translate(None, CONTROL_BYTES)) > MAX_CONTROL_SHARE * len(data):
        raise BpError("looks like a binary file (an image, archive, PDF or Word file?), not text; name Word and PDF files .docx and .pdf", path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=WESTERN_ENCODINGS).best()
    except ImportError:  # pragma: no cover - charset-normalizer ships with requests/spaCy
        best = None
    if best is None or best.encoding is None:
        raise BpError("cannot tell the text encoding (a binary file such as a PDF or Word file?); name Word and PDF files .docx and .pdf", path)
    return str(best), best.encoding


def read_document(path: Path) -> RawDocument:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BpError(f"cannot read: {exc.strerror}", path) from None
    suffix = path.suffix.lower()
    pages: tuple = ()
    removals: tuple = ()
    if suffix in (".docx", ".pdf"):
        from .formats import docx_text, pdf_text

        extracted = (docx_text if suffix == ".docx" else pdf_text)(path)
        text, encoding, pages, removals = extracted.text, suffix[1:], extracted.pages, extracted.removals
    else:
        text, encoding = decode(data, path)
    if not text.strip():
        raise BpError("file is empty", path)
    return RawDocument(str(path), path.name, text, hashlib.sha256(data).hexdigest(), encoding, pages, removals)
