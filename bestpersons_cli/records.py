"""Typed records passed between the stages, so each stage's input and output read in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class MappedText:
    """A string that remembers, per character, its offset in the original file.

    Every repair and every re-layout produces a new MappedText, so sentences found
    much later can still point back into the file the user gave us.
    """

    text: str
    offsets: tuple[int, ...]
    end_offset: int  # original offset just past the last character

    @classmethod
    def identity(cls, text: str) -> "MappedText":
        return cls(text, tuple(range(len(text))), len(text))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the substring [start, end)."""
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else self.end_offset
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1

    def slice(self, start: int, end: int) -> "MappedText":
        end_offset = self.offsets[end - 1] + 1 if end > start else self.original_span(start, end)[0]
        return MappedText(self.text[start:end], self.offsets[start:end], end_offset)

    def apply(self, edits: Sequence["Edit"]) -> "MappedText":
        """Apply non-overlapping edits (in this text's coordinates) in one pass."""
        parts: list[str] = []
        offsets: list[int] = []
        cursor = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            if edit.start < cursor:
                raise ValueError(f"overlapping edits at {edit.start}")
            parts.append(self.text[cursor:edit.start])
            offsets.extend(self.offsets[cursor:edit.start])
            anchor = self.offsets[edit.start] if edit.start < len(self.offsets) else self.end_offset
            parts.append(edit.replacement)
            offsets.extend([anchor] * len(edit.replacement))
            cursor = edit.end
        parts.append(self.text[cursor:])
        offsets.extend(self.offsets[cursor:])
        return MappedText("".join(parts), tuple(offsets), self.end_offset)


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
    encoding: str


@dataclass(frozen=True)
class Paragraph:
    index: int
    kind: str  # "heading", "text", "bullet", "figure"
    section: str | None
    text: MappedText
    page: int | None = None


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
