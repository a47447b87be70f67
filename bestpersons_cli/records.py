"""Typed records passed between the stages, so each stage's input and output read in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class MappedText:
    """A string that remembers, per character, where it came from in the original file.

    Every repair and every re-layout produces a new MappedText, so sentences found
    much later can still point back into the file the user gave us. `offsets[i]` is
    where character i starts in the original, `ends[i]` where it ends: a repair that
    turns two characters into one (`e` + combining accent -> `é`) maps the new
    character onto both.
    """

    text: str
    offsets: tuple[int, ...]
    end_offset: int  # original offset just past the last character
    ends: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.ends:
            object.__setattr__(self, "ends", tuple(o + 1 for o in self.offsets))

    @classmethod
    def identity(cls, text: str, origin: int = 0) -> "MappedText":
        """`text` as it stands in the file, starting at offset `origin`."""
        n = len(text)
        return cls(text, tuple(range(origin, origin + n)), origin + n, tuple(range(origin + 1, origin + n + 1)))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the substring [start, end)."""
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else self.end_offset
            return at, at
        return self.offsets[start], max(self.ends[end - 1], self.offsets[start])

    def slice(self, start: int, end: int) -> "MappedText":
        end_offset = self.original_span(start, end)[1]
        return MappedText(self.text[start:end], self.offsets[start:end], end_offset, self.ends[start:end])

    def apply(self, edits: Sequence["Edit"]) -> "MappedText":
        """Apply non-overlapping edits (in this text's coordinates) in one pass."""
        parts: list[str] = []
        offsets: list[int] = []
        ends: list[int] = []
        cursor = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            if edit.start < cursor:
                raise ValueError(f"overlapping edits at {edit.start}")
            parts.append(self.text[cursor:edit.start])
            offsets.extend(self.offsets[cursor:edit.start])
            ends.extend(self.ends[cursor:edit.start])
            anchor = self.offsets[edit.start] if edit.start < len(self.offsets) else self.end_offset
            replaced_end = self.ends[edit.end - 1] if edit.end > edit.start else anchor
            parts.append(edit.replacement)
            offsets.extend([anchor] * len(edit.replacement))
            ends.extend([anchor + 1] * (len(edit.replacement) - 1) + [replaced_end] * bool(edit.replacement))
            cursor = edit.end
        parts.append(self.text[cursor:])
        offsets.extend(self.offsets[cursor:])
        ends.extend(self.ends[cursor:])
        return MappedText("".join(parts), tuple(offsets), self.end_offset, tuple(ends))


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] by `replacement`; `reason` None means layout only (not logged)."""

    start: int
    end: int
    replacement: str = ""
    reason: str | None = None


@dataclass(frozen=True)
class DroppedSpan:
    """A span that cleaning removed or replaced, so nothing disappears silently."""

    start: int  # offsets into the original file
    end: int
    line: int
    reason: str
    text: str
    replacement: str = ""


@dataclass(frozen=True)
class RawDocument:
    path: str
    name: str
    text: str
    sha256: str
    encoding: str  # how the text was read: an encoding, or "docx" / "pdf"
    pages: tuple[tuple[int, int], ...] = ()  # (offset, page number) where the file itself tells (PDF)
    removals: tuple[tuple[int, int, str], ...] = ()  # spans the reader found to drop (PDF running headers)


@dataclass(frozen=True)
class Paragraph:
    index: int
    kind: str  # "heading", "text", "bullet", "figure"
    section: str | None
    text: MappedText


@dataclass(frozen=True)
class Token:
    text: str
    lemma: str
    pos: str  # "" where the pipeline has no tagger (the fallback)
    punct: bool = False


@dataclass(frozen=True)
class Sentence:
    ordinal: int
    paragraph: int
    section: str | None
    page: int | None
    start: int  # offsets into the original file
    end: int
    text: str
    tokens: tuple[Token, ...]
    kind: str = "text"  # the paragraph kind it comes from

    @property
    def lemmas(self) -> str:
        return " ".join(t.lemma.lower() for t in self.tokens if not t.punct)


@dataclass(frozen=True)
class Quote:
    kind: str  # "interview", "meeting", "literature"
    source_id: str  # "interview 5", "bijeenkomst 25 november 2020", "Van der Lans, 2014: 20"
    number: int | None  # the interview number, for interview quotes
    text: str
    start: int  # offsets into the original file
    end: int
    first_sentence: int | None = None  # sentence ordinals
    last_sentence: int | None = None
    section: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Pipeline:
    name: str
    version: str
    is_fallback: bool


@dataclass(frozen=True)
class IngestedDocument:
    raw: RawDocument
    pipeline: Pipeline
    title: str
    sentences: tuple[Sentence, ...]
    quotes: tuple[Quote, ...]
    dropped: tuple[DroppedSpan, ...]
    paragraphs: int = 0
