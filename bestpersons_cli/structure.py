"""Paragraphs, headings, sections and pages of a cleaned text.

Works on the cleaned text with its line layout still in place, because the layout is
the only evidence of structure that PDF extraction leaves: blank lines, short lines
without final punctuation, bullets, page breaks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .records import Edit, MappedText, Paragraph

BULLET = re.compile(r"^\s*(?:[•●▪◦·]|[-*–](?=\s))\s*")
MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
TABLE_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|\s*$")  # `| cell | cell |`: a row of a table
ENUMERATOR = re.compile(r"^[a-z][.)\-]\s")
# A speaker turn in an interview transcript: `I:`, `R:`, `Interviewer:`, `Fatima:`,
# `Jan de Vries:`, optionally after a timestamp such as `[00:12:31]`.
TURN = re.compile(
    r"^\s*(?:[\[(]?(?P<time>\d{1,2}:\d{2}(?::\d{2})?)[\])]?\s*)?"
    r"(?P<speaker>[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:van|de|der|den|ter|el|[A-ZÀ-Ý][\w'’.-]*)){0,3})\s*:\s+"
)
FIGURE_CAPTION = re.compile(r"^\s*(?:Schema|Figuur|Tabel|Figure|Table)\s+\d+\s*:", re.IGNORECASE)
TERMINAL = tuple(".!?;,…")
CONTINUES = tuple(".!?:;”\"’)…]")


@dataclass(frozen=True)
class Block:
    start: int  # in cleaned-text coordinates
    end: int
    lines: tuple[str, ...]
    bullet: bool = False
    md_heading: bool = False
    after_page_break: bool = False


def split_blocks(text: str, turns: bool = False) -> list[Block]:
    """Blank-line separated blocks; every bullet and Markdown heading line opens its own,
    and in a transcript (`turns`) every speaker turn."""
    blocks: list[Block] = []
    current: list[tuple[int, str]] = []
    blank_run = 0
    page_break = False

    def flush():
        nonlocal current, page_break
        if current:
            lines = tuple(line for _, line in current)
            first = lines[0]
            blocks.append(
                Block(
                    current[0][0],
                    current[-1][0] + len(current[-1][1]),
                    lines,
                    bool(BULLET.match(first)),
                    bool(MD_HEADING.match(first)),
                    page_break or first.startswith(" "),
                )
            )
        current = []
        page_break = False

    offset = 0
    for line in text.split("\n"):
        if not line.strip():
            blank_run += 1
        else:
            if blank_run:
                flush()
                page_break = blank_run >= 2
            elif (
                BULLET.match(line)
                or MD_HEADING.match(line)
                or TABLE_ROW.match(line)
                or (current and TABLE_ROW.match(current[-1][1]))
                or (turns and TURN.match(line))
                or (current and MD_HEADING.match(current[-1][1]))
                or (current and starts_new_page_block(current[-1][1], line))
            ):
                flush()
                page_break = line.startswith(" ")
            blank_run = 0
            current.append((offset, line))
        offset += len(line) + 1
    flush()
    return blocks


def starts_new_page_block(previous_line: str, line: str) -> bool:
    """A line opened by a space starts a PDF page; it opens a new block unless the
    sentence of the previous line runs on into it."""
    if not line.startswith(" "):
        return False
    previous = previous_line.rstrip()
    if previous.endswith((".", "!", "?", ":")):
        return True
    return not previous.endswith((",", "-")) and line.lstrip()[:1].isupper()


def looks_like_heading(block: Block) -> bool:
    if block.md_heading:
        return True
    if block.bullet or len(block.lines) > 2:
        return False
    text = " ".join(line.strip() for line in block.lines)
    words = text.split()
    if not words or len(words) > 18 or text.endswith(TERMINAL) or text.endswith(":"):
        return False
    if re.search(r"https?:|www\.|[.!?] [A-Z]", text) or not re.search(r"[^\W\d_]{2}", text):
        return False
    first = text[0]
    return first.isupper() or first.isdigit()


def continues_previous(previous: Block, block: Block) -> bool:
    """A paragraph cut by a page break or a stray blank line goes on in lower case."""
    last = previous.lines[-1].rstrip()
    first = block.lines[0].lstrip()
    if not first or not last or last.endswith(CONTINUES) or previous.md_heading:
        return False
    if block.bullet or block.md_heading or ENUMERATOR.match(first) or TABLE_ROW.match(first):
        return False
    return first[0].islower() or first[0] in "[(“‘\""


def normalize_whitespace(text: MappedText) -> MappedText:
    """Join the lines of a paragraph: whitespace runs become one space, ends are trimmed."""
    edits = []
    for m in re.finditer(r"\s+", text.text):
        if m.start() == 0 or m.end() == len(text.text):
            edits.append(Edit(m.start(), m.end(), ""))
        elif m.group(0) != " ":
            edits.append(Edit(m.start(), m.end(), " "))
    for m in (BULLET.match(text.text), MD_HEADING.match(text.text)):
        if m and m.end() > 0:
            edits = [e for e in edits if e.start >= m.end()] + [Edit(0, m.end(), "")]
    row = TABLE_ROW.match(text.text)
    if row:  # the outer bars go, the bars between cells stay
        first, last = row.start("cells"), row.end("cells")
        edits = [e for e in edits if first <= e.start and e.end <= last] + [Edit(0, first, ""), Edit(last, len(text.text), "")]
        inner = text.text[first:last]
        edits += [Edit(first, first + len(inner) - len(inner.lstrip()), "")] if inner[:1].isspace() else []
        edits += [Edit(last - (len(inner) - len(inner.rstrip())), last, "")] if inner[-1:].isspace() else []
        edits = _without_overlaps(edits)
    return text.apply(edits)


def _without_overlaps(edits: list[Edit]) -> list[Edit]:
    kept: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, -e.end)):
        if not kept or edit.start >= kept[-1].end:
            kept.append(edit)
    return kept


def paragraphs(cleaned: MappedText, after: Paragraph | None = None, turns: bool = False) -> list[Paragraph]:
    """Turn blocks into paragraphs with kinds and the section heading they fall under.

    `after` is the last paragraph of the part of the document before this text, so a long
    document processed in parts keeps its numbering, its section and an open figure.
    """
    merged: list[list[Block]] = []
    for block in split_blocks(cleaned.text, turns):
        if merged and not (turns and TURN.match(block.lines[0])) and continues_previous(merged[-1][-1], block):
            merged[-1].append(block)
        else:
            merged.append([block])

    result: list[Paragraph] = []
    first_index = after.index + 1 if after else 0
    section = after.section if after else None
    in_figure = bool(after and after.kind == "figure")
    for group in merged:
        head = group[0]
        span = cleaned.slice(head.start, group[-1].end)
        if FIGURE_CAPTION.match(head.lines[0]):
            in_figure = True
        elif in_figure and head.after_page_break:
            in_figure = False
        if in_figure:
            # a flattened figure: every line is a label of its own
            offset = head.start
            for block in group:
                offset = block.start
                for line in block.lines:
                    if line.strip():
                        piece = normalize_whitespace(cleaned.slice(offset, offset + len(line)))
                        result.append(Paragraph(first_index + len(result), "figure", section, piece))
                    offset += len(line) + 1
            continue
        kind = "bullet" if head.bullet else "text"
        if TABLE_ROW.match(head.lines[0]):
            kind = "table"
        elif len(group) == 1 and looks_like_heading(head):
            kind = "heading"
        text = normalize_whitespace(span)
        if not text.text:
            continue
        if kind == "heading":
            section = text.text
        result.append(Paragraph(first_index + len(result), kind, section, text))
    return result


# --- pages ----------------------------------------------------------------------------------


PAGE_LINE = re.compile(r"[^\n]*\n?")


def page_breaks(original: str) -> list[int]:
    """Original offsets where a new page seems to start: a line opened by a space, or a
    non-blank line after two or more blank ones (how this PDF extraction marks pages)."""
    breaks = [0]
    blank_run = 0
    for m in PAGE_LINE.finditer(original):  # one line at a time: texts can be large
        line = m.group().rstrip("\n")
        if not line.strip():
            blank_run += 1
        else:
            if (blank_run >= 2 or line.startswith(" ")) and m.start() > 0:
                breaks.append(m.start())
            blank_run = 0
    return sorted(set(breaks))


def choose_page_numbers(chunk_candidates: list[list[int]]) -> list[int | None]:
    """Pick at most one number per page chunk so the picks strictly increase, maximising
    how many are picked: endnote numbers and stray digits then fall out."""
    # dynamic programme keyed by the last picked value: candidates are few
    states: list[tuple[int, int, list[int | None]]] = [(0, -1, [])]  # (count, last value, picks)
    for candidates in chunk_candidates:
        next_states: dict[int, tuple[int, int, list[int | None]]] = {}
        for count, last, picks in states:
            options = [(count, last, picks + [None])]
            options += [(count + 1, value, picks + [value]) for value in candidates if value > last]
            for option in options:
                kept = next_states.get(option[1])
                if kept is None or option[0] > kept[0]:
                    next_states[option[1]] = option
        states = list(next_states.values())
    return max(states, key=lambda s: (s[0], -s[1]))[2]


@dataclass(frozen=True)
class PageLayout:
    """Pages of a document: `pages[i]` is the page of the chunk starting at `breaks[i]`
    (None where the markers don't allow telling)."""

    breaks: tuple[int, ...]
    pages: tuple[int | None, ...]
    page_number_offsets: frozenset[int]  # number lines that were page numbers

    def page_of(self, offset: int) -> int | None:
        return self.pages[bisect_right(self.breaks, offset) - 1]


def page_layout(original: str, number_lines: list[tuple[int, int]]) -> PageLayout:
    """Pages from page breaks and number lines, the (original offset, value) of lines
    holding only a number. A page is known in a chunk with a printed page number, and
    between two such chunks when the chunk count matches the page count.
    """
    breaks = page_breaks(original)
    chunk_of = lambda offset: bisect_right(breaks, offset) - 1  # noqa: E731
    candidates: list[list[int]] = [[] for _ in breaks]
    where: dict[tuple[int, int], int] = {}
    for offset, value in number_lines:
        chunk = chunk_of(offset)
        candidates[chunk].append(value)
        where[(chunk, value)] = offset
    picks = choose_page_numbers(candidates)
    pages: list[int | None] = list(picks)
    anchors = [i for i, p in enumerate(picks) if p is not None]
    for a, b in zip(anchors, anchors[1:]):
        if picks[b] - picks[a] == b - a:
            for i in range(a + 1, b):
                pages[i] = picks[a] + (i - a)
    page_offsets = frozenset(where[(i, p)] for i, p in enumerate(picks) if p is not None)
    return PageLayout(tuple(breaks), tuple(pages), page_offsets)
