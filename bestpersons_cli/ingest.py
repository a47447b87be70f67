"""The ingest stage: RawDocument -> cleaned paragraphs -> sentences and quotes.

Pure apart from the spaCy pipeline it is given, except `ingest_paths`, which reads the
files and hands each document to the store part by part.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from . import sources, store
from .clean import LINE_BREAK, REPAIRS, clean_text, repairs_for_part, vocabulary_of
from .errors import BpError
from .nlp import LoadedPipeline, segment
from .quotes import find_quotes
from .records import DroppedSpan, IngestedDocument, Paragraph, Quote, RawDocument, Sentence
from .structure import PageLayout, page_layout, paragraphs as find_paragraphs


PART_CHARS = 200_000  # a longer text is cleaned, segmented and stored part by part
# Places to cut, best first. A blank line after a sentence end: no hyphenated word,
# paragraph or quote runs across it (a colon may open a quote, so not after one). Then a
# line that ends a sentence; then any line break.
BREAK = f"(?:{LINE_BREAK.pattern})"
CUTS = (
    re.compile(rf"[.!?…][\"”’)\]]*[ \t]*{BREAK}(?=[ \t]*{BREAK})"),
    re.compile(rf"[.!?…][\"”’)\]]*[ \t]*{BREAK}"),
    re.compile(BREAK),
)


WORD = re.compile(r"[^\W\d_]{2}")


def part_bounds(text: str, size: int = PART_CHARS) -> list[tuple[int, int]]:
    """[start, end) of the parts a text is processed in: one part for any ordinary text.

    A cut is made at the best place that lies between `size` and four times `size`
    characters on, so memory stays bounded whatever the file looks like.
    """
    cuts = [0]
    while len(text) - cuts[-1] > size:
        begin, limit = cuts[-1] + size, cuts[-1] + 4 * size
        found = next((m for m in (cut.search(text, begin, limit) for cut in CUTS) if m), None)
        found = found or LINE_BREAK.search(text, limit)
        if found is None:
            break
        cuts.append(found.end())
    return list(zip(cuts, cuts[1:] + [len(text)]))


@dataclass(frozen=True)
class DocumentPart:
    """What one part of a document gives; pages are filled in once the whole is seen."""

    sentences: tuple[Sentence, ...]
    quotes: tuple[Quote, ...]
    dropped: tuple[DroppedSpan, ...]


class DocumentStream:
    """A document ingested part by part, so a large file never sits in memory whole.

    Iterate it for the parts; afterwards `title`, `paragraphs` and `layout` (pages and
    which number lines were page numbers) describe the whole document.
    """

    def __init__(self, raw: RawDocument, loaded: LoadedPipeline, part_chars: int = PART_CHARS) -> None:
        self.raw = raw
        self.pipeline = loaded.info
        self._loaded = loaded
        self._part_chars = part_chars
        self.title = Path(raw.name).stem
        self.paragraphs = 0
        self.has_words = False  # a file of only numbers or punctuation is stored, with a warning
        self.layout: PageLayout | None = None
        self.sentence_starts = array("q")  # by ordinal - 1: enough to assign pages later
        self.quote_starts = array("q")

    def __iter__(self) -> Iterator[DocumentPart]:
        text = self.raw.text
        last: Paragraph | None = None
        found_title = False
        number_lines: list[tuple[int, int]] = []
        line = 1
        previous_start = 0
        bounds = part_bounds(text, self._part_chars)
        repairs = REPAIRS if len(bounds) == 1 else repairs_for_part(vocabulary_of(text))
        for start, end in bounds:
            line += sum(1 for _ in LINE_BREAK.finditer(text, previous_start, start))
            previous_start = start
            cleaned, dropped = clean_text(text[start:end], repairs, origin=start, first_line=line)
            # The original span may still hold characters cleaning removed before (a zero-width space).
            number_lines += [(d.start, int(re.search(r"\d+", d.text).group())) for d in dropped if d.reason == "page-number"]
            paragraphs = find_paragraphs(cleaned, after=last)
            sentences = split_sentences(paragraphs, self._loaded, first_ordinal=len(self.sentence_starts) + 1)
            quotes = locate_quotes(paragraphs, sentences)
            if not found_title:
                heading = next((p for p in paragraphs if p.kind == "heading"), None)
                if heading is not None:
                    self.title, found_title = heading.text.text, True
            if paragraphs:
                last = paragraphs[-1]
            self.paragraphs += len(paragraphs)
            self.has_words = self.has_words or any(WORD.search(s.text) for s in sentences)
            self.sentence_starts.extend(s.start for s in sentences)
            self.quote_starts.extend(q.start for q in quotes)
            yield DocumentPart(tuple(sentences), tuple(quotes), tuple(dropped))
        self.layout = page_layout(text, number_lines)


def ingest_document(raw: RawDocument, loaded: LoadedPipeline, part_chars: int = PART_CHARS) -> IngestedDocument:
    """The whole document in memory, pages filled in: for tests and small texts."""
    stream = DocumentStream(raw, loaded, part_chars)
    parts = list(stream)
    layout = stream.layout
    sentences = [replace(s, page=layout.page_of(s.start)) for part in parts for s in part.sentences]
    quotes = [replace(q, page=layout.page_of(q.start)) for part in parts for q in part.quotes]
    dropped = [
        replace(d, reason="note-number") if d.reason == "page-number" and d.start not in layout.page_number_offsets else d
        for part in parts
        for d in part.dropped
    ]
    return IngestedDocument(raw, loaded.info, stream.title, tuple(sentences), tuple(quotes), tuple(dropped), stream.paragraphs)


def split_sentences(paragraphs: list[Paragraph], loaded: LoadedPipeline, first_ordinal: int = 1) -> list[Sentence]:
    texts = [p.text.text for p in paragraphs]
    whole = [p.kind in ("heading", "figure") for p in paragraphs]
    result: list[Sentence] = []
    for paragraph, spans in zip(paragraphs, segment(loaded.nlp, texts, whole)):
        for span in spans:
            start, end = paragraph.text.original_span(span.start, span.end)
            result.append(
                Sentence(
                    ordinal=first_ordinal + len(result),
                    paragraph=paragraph.index,
                    section=paragraph.section,
                    page=None,
                    start=start,
                    end=end,
                    text=paragraph.text.text[span.start:span.end],
                    tokens=span.tokens,
                    kind=paragraph.kind,
                )
            )
    return result


def locate_quotes(paragraphs: list[Paragraph], sentences: list[Sentence]) -> list[Quote]:
    by_index = {p.index: p for p in paragraphs}
    quotes = []
    for span in find_quotes(paragraphs):
        paragraph = by_index[span.paragraph]
        start, end = paragraph.text.original_span(span.start, span.end)
        covered = [s.ordinal for s in sentences if s.start < end and s.end > start]
        quotes.append(
            Quote(
                kind=span.kind,
                source_id=span.source_id,
                number=span.number,
                text=paragraph.text.text[span.start:span.end],
                start=start,
                end=end,
                first_sentence=covered[0] if covered else None,
                last_sentence=covered[-1] if covered else None,
                section=paragraph.section,
            )
        )
    return quotes


@dataclass(frozen=True)
class IngestedSummary:
    """What the CLI reports per document; the document itself is in the store."""

    name: str
    sentences: int
    quotes: int
    dropped: int


@dataclass
class IngestReport:
    ingested: list[IngestedSummary] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[BpError] = field(default_factory=list)
    warnings: list[BpError] = field(default_factory=list)


def ingest_paths(
    paths: list[Path],
    conn,
    loaded: LoadedPipeline,
    force: bool = False,
    progress: Callable[[str], None] = lambda name: None,
) -> IngestReport:
    """Ingest every input; a bad file is reported and the others still go in."""
    report = IngestReport()
    files, report.errors = sources.find_inputs(paths)
    for path in files:
        progress(path.name)
        try:
            raw = sources.read_document(path)
            if not force and store.is_unchanged(conn, raw.name, raw.sha256, loaded.info.name, loaded.info.version):
                report.skipped.append(raw.name)
                continue
            stream = DocumentStream(raw, loaded)
            counts = store.write_document(conn, stream)
            report.ingested.append(IngestedSummary(raw.name, *counts))
            if not stream.has_words:
                report.warnings.append(BpError("no words found, only numbers or punctuation; stored anyway", path))
        except BpError as exc:
            report.errors.append(exc)
    return report
