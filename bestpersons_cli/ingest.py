"""The ingest stage: RawDocument -> cleaned paragraphs -> sentences and quotes.

Pure apart from the spaCy pipeline it is given, except `ingest_paths`, which reads the
files and hands each document to the store part by part.
"""

from __future__ import annotations

import os
import re
from array import array
from dataclasses import dataclass, field, replace
from pathlib import Path
from collections import deque
from itertools import groupby
from typing import Callable, Iterable, Iterator, Sequence

from . import sources, store
from .clean import LINE_BREAK, REPAIRS, clean_text, repairs_for_part, vocabulary_of
from .errors import BpError
from .nlp import LoadedPipeline, SentenceSpan, segment
from .quotes import Transcript, find_quotes, find_turn_quotes, transcript_of
from .records import DroppedSpan, Edit, IngestedDocument, Paragraph, Quote, RawDocument, Sentence
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

    document: "DocumentStream"
    sentences: tuple[Sentence, ...]
    quotes: tuple[Quote, ...]
    dropped: tuple[DroppedSpan, ...]


@dataclass(frozen=True)
class PreparedPart:
    """One part of a document, cleaned and laid out into paragraphs, waiting for spaCy."""

    document: "DocumentStream"
    paragraphs: tuple[Paragraph, ...]
    dropped: tuple[DroppedSpan, ...]


class DocumentStream:
    """A document ingested part by part, so a large file never sits in memory whole.

    Iterate it for the parts; afterwards `title`, `paragraphs` and `layout` (pages and
    which number lines were page numbers) describe the whole document. `ingest_paths`
    runs many documents' parts through one spaCy stream (`analyse`), so spaCy batches
    across documents and can use several processes.
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
        self.transcript = transcript_of(raw.text, raw.name)  # speaker turns become quotes

    def __iter__(self) -> Iterator[DocumentPart]:
        return analyse(self.prepare(), self._loaded.nlp)

    def prepare(self) -> Iterator[PreparedPart]:
        """Clean each part and find its paragraphs; the page layout is known after the last."""
        text = self.raw.text
        last: Paragraph | None = None
        found_title = False
        number_lines: list[tuple[int, int]] = []
        line = 1
        previous_start = 0
        bounds = part_bounds(text, self._part_chars)
        repairs = REPAIRS if len(bounds) == 1 else repairs_for_part(vocabulary_of(text))
        for number, (start, end) in enumerate(bounds, 1):
            line += sum(1 for _ in LINE_BREAK.finditer(text, previous_start, start))
            previous_start = start
            cleaned, dropped = clean_text(text[start:end], self._with_removals(repairs, start, end), origin=start, first_line=line)
            # The original span may still hold characters cleaning removed before (a zero-width space).
            number_lines += [(d.start, int(re.search(r"\d+", d.text).group())) for d in dropped if d.reason == "page-number"]
            paragraphs = find_paragraphs(cleaned, after=last, turns=self.transcript is not None)
            if not found_title:
                heading = next((p for p in paragraphs if p.kind == "heading"), None)
                if heading is not None:
                    self.title, found_title = heading.text.text, True
            if paragraphs:
                last = paragraphs[-1]
            self.paragraphs += len(paragraphs)
            if number == len(bounds):
                self.layout = self._layout(number_lines)
            yield PreparedPart(self, tuple(paragraphs), tuple(dropped))

    def _layout(self, number_lines: list[tuple[int, int]]) -> PageLayout:
        """Pages the file states (a PDF), else pages read from the text's layout."""
        if self.raw.pages:
            return PageLayout(tuple(o for o, _ in self.raw.pages), tuple(p for _, p in self.raw.pages), frozenset())
        return page_layout(self.raw.text, number_lines)

    def _with_removals(self, repairs: tuple, start: int, end: int) -> tuple:
        """The reader's removals in this part (PDF running headers) go first, logged like any repair."""
        edits = [Edit(a - start, b - start, "", reason) for a, b, reason in self.raw.removals if start <= a and b <= end]
        return ((lambda text: edits),) + repairs if edits else repairs

    def finish(self, part: PreparedPart, spans: list) -> DocumentPart:
        """Sentences and quotes of a part, from spaCy's analysis of its paragraphs."""
        sentences = split_sentences(part.paragraphs, spans, first_ordinal=len(self.sentence_starts) + 1)
        quotes = locate_quotes(part.paragraphs, sentences, self.transcript)
        self.has_words = self.has_words or any(WORD.search(s.text) for s in sentences)
        self.sentence_starts.extend(s.start for s in sentences)
        self.quote_starts.extend(q.start for q in quotes)
        return DocumentPart(self, tuple(sentences), tuple(quotes), part.dropped)


def analyse(prepared: Iterable[PreparedPart], nlp, n_process: int = 1) -> Iterator[DocumentPart]:
    """Run the paragraphs of every prepared part through one spaCy stream, in order, and
    give each part back once all its paragraphs are analysed."""
    pending: deque[PreparedPart] = deque()

    def paragraphs():
        for part in prepared:
            pending.append(part)  # before its paragraphs go in: spaCy reads ahead
            for paragraph in part.paragraphs:
                yield paragraph.text.text, paragraph.kind in ("heading", "figure", "table")

    collected: list = []
    for spans in segment(nlp, paragraphs(), n_process=n_process):
        while len(collected) == len(pending[0].paragraphs):  # parts already complete, empty ones too
            part = pending.popleft()
            yield part.document.finish(part, collected)
            collected = []
        collected.append(spans)
    while pending:
        part = pending.popleft()
        yield part.document.finish(part, collected)
        collected = []


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


def split_sentences(paragraphs: Sequence[Paragraph], analysed: Sequence[list[SentenceSpan]], first_ordinal: int = 1) -> list[Sentence]:
    result: list[Sentence] = []
    for paragraph, spans in zip(paragraphs, analysed):
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


def locate_quotes(paragraphs: Sequence[Paragraph], sentences: list[Sentence], transcript: Transcript | None = None) -> list[Quote]:
    by_index = {p.index: p for p in paragraphs}
    quotes = []
    spans = find_turn_quotes(list(paragraphs), transcript) if transcript else find_quotes(list(paragraphs))
    for span in spans:
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


MIN_BYTES_FOR_WORKERS = 20_000  # below this, starting processes costs more than it saves


def choose_workers(requested: int | None, is_fallback: bool, input_bytes: int, cpus: int | None) -> int:
    """spaCy processes for `nlp.pipe`: what was asked, else one per core (at most 4) for a
    statistical pipeline on more than a little text. The fallback pipeline is cheaper than
    handing documents between processes, so it runs in one (benchmarks/RESULTS.md)."""
    if requested is not None:
        return max(1, requested)
    if is_fallback or input_bytes < MIN_BYTES_FOR_WORKERS:
        return 1
    return max(1, min(cpus or 1, 4))


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
    workers: int = 1  # spaCy processes used


def ingest_paths(
    paths: list[Path],
    conn,
    loaded: LoadedPipeline,
    force: bool = False,
    progress: Callable[[str], None] = lambda name: None,
    workers: int | None = None,
) -> IngestReport:
    """Ingest every input; a bad file is reported and the others still go in.

    Files are read and cleaned as spaCy asks for more text, analysed in one stream
    (`workers` processes, None to choose), and each document is written in its own
    transaction.
    """
    report = IngestReport()
    files, report.errors = sources.find_inputs(paths)
    input_bytes = sum(path.stat().st_size for path in files if path.exists())
    report.workers = choose_workers(workers, loaded.info.is_fallback, input_bytes, os.cpu_count())

    def prepared() -> Iterator[PreparedPart]:
        for path in files:
            try:
                raw = sources.read_document(path)
            except BpError as exc:
                report.errors.append(exc)
                continue
            if not force and store.is_unchanged(conn, raw.name, raw.sha256, loaded.info.name, loaded.info.version):
                report.skipped.append(raw.name)
                continue
            yield from DocumentStream(raw, loaded).prepare()

    for document, parts in groupby(analyse(prepared(), loaded.nlp, report.workers), key=lambda part: part.document):
        progress(document.raw.name)
        counts = store.write_document(conn, document, parts)
        report.ingested.append(IngestedSummary(document.raw.name, *counts))
        if not document.has_words:
            report.warnings.append(BpError("no words found, only numbers or punctuation; stored anyway", document.raw.path))
    return report
