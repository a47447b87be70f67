"""Word and PDF files as plain text the later stages understand, with what the file knows.

A `.docx` becomes text in the layout `structure` reads: Markdown headings from Word's
heading styles, a blank line between paragraphs, list items as bullets, table rows as
Markdown table rows. A `.pdf` becomes the text of its pages; the PDF tells where each page starts
and its printed page number, and lines repeated at the top or bottom of most pages
(running headers and footers) are marked for cleaning to drop, with their offsets.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .errors import BpError

HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)
TITLE_STYLES = {"title", "titel"}
LIST_STYLE = re.compile(r"list|lijst", re.IGNORECASE)


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: tuple[tuple[int, int], ...] = ()  # (offset where a page starts, its page number)
    removals: tuple[tuple[int, int, str], ...] = ()  # (start, end, reason) for cleaning to drop


def docx_text(path: Path) -> Extracted:
    """Paragraphs, headings (from Word styles), lists and tables, in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise BpError(f"not a readable Word file: {exc}", path) from None
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(" ".join(cell.text.split()) for cell in row.cells))  # merged cells repeat
                line = " | ".join(cell for cell in cells if cell)
                if line:
                    blocks.append(f"| {line} |")  # Markdown's table row: `structure` keeps it whole
            continue
        text = item.text.strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = HEADING_STYLE.match(style.strip())
        if level or style.strip().lower() in TITLE_STYLES:
            blocks.append("#" * (int(level.group(1)) if level else 1) + " " + " ".join(text.split()))
        elif LIST_STYLE.search(style):
            blocks.append("- " + text)
        else:
            blocks.append(text)
    return Extracted("\n\n".join(blocks) + "\n" if blocks else "")


def _running_key(line: str) -> str:
    """A header or footer line with its page number blanked out: `Pagina 3 van 9` -> `pagina # van #`."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def pdf_text(path: Path) -> Extracted:
    """The text layer of every page, page numbers from the PDF's own page labels."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise BpError("the PDF is encrypted; save an unprotected copy first", path)
        page_texts = [page.extract_text() or "" for page in reader.pages]
        labels = list(reader.page_labels)
    except BpError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise BpError(f"not a readable PDF: {exc}", path) from None
    if not any(text.strip() for text in page_texts):
        raise BpError("the PDF has no text layer (a scan?); run OCR first (for example ocrmypdf) and ingest its output", path)

    # Lines at the top or bottom of at least half the pages (and of three or more) are running headers or footers.
    edges: Counter[str] = Counter()
    for text in page_texts:
        lines = [line for line in text.splitlines() if line.strip()]
        for line in set(lines[:1] + lines[-1:]):
            edges[_running_key(line)] += 1
    running = {key for key, n in edges.items() if n >= max(3, (len(page_texts) + 1) // 2)}

    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    removals: list[tuple[int, int, str]] = []
    offset = 0
    for number, (text, label) in enumerate(zip(page_texts, labels), 1):
        text = text.rstrip("\n") + "\n"
        pages.append((offset, int(label) if label.isdigit() else number))
        lines = text.splitlines(keepends=True)
        kept = [i for i, line in enumerate(lines) if line.strip()]
        edge_lines = set(kept[:1] + kept[-1:])
        position = offset
        for i, line in enumerate(lines):
            if i in edge_lines and _running_key(line) in running:
                removals.append((position, position + len(line), "running-header"))
            position += len(line)
        parts.append(text)
        offset += len(text)
        if number < len(page_texts):
            parts.append("\n\n")  # a page break is a paragraph break unless the sentence runs on
            offset += 2
    return Extracted("".join(parts), tuple(pages), tuple(removals))
