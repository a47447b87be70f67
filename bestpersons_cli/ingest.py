"""The ingest stage: RawDocument -> cleaned paragraphs -> sentences and quotes.

Pure apart from the spaCy pipeline it is given; reading files and writing the store
happen in the CLI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import sources, store
from .clean import clean_text
from .errors import BpError
from .nlp import LoadedPipeline, segment
from .quotes import find_quotes
from .records import DroppedSpan, IngestedDocument, Paragraph, Quote, RawDocument, Sentence
from .structure import page_layout, paragraphs as find_paragraphs


def ingest_document(raw: RawDocument, loaded: LoadedPipeline) -> IngestedDocument:
    cleaned, dropped = clean_text(raw.text)
    # The original span may still hold characters cleaning removed before (a zero-width space).
    number_lines = [(d.start, int(re.search(r"\d+", d.text).group())) for d in dropped if d.reason == "page-number"]
    page_of, page_offsets = page_layout(raw.text, number_lines)
    dropped = [
        d if d.reason != "page-number" or d.start in page_offsets else replace(d, reason="note-number")
        for d in dropped
    ]
    paragraphs = find_paragraphs(cleaned, page_of)
    sentences = split_sentences(paragraphs, loaded, page_of)
    quotes = locate_quotes(paragraphs, sentences, page_of)
    title = next((p.text.text for p in paragraphs if p.kind == "heading"), Path(raw.name).stem)
    return IngestedDocument(raw, loaded.info, title, tuple(sentences), tuple(quotes), tuple(dropped), len(paragraphs))


def split_sentences(paragraphs: list[Paragraph], loaded: LoadedPipeline, page_of) -> list[Sentence]:
    texts = [p.text.text for p in paragraphs]
    whole = [p.kind in ("heading", "figure") for p in paragraphs]
    result: list[Sentence] = []
    for paragraph, spans in zip(paragraphs, segment(loaded.nlp, texts, whole)):
        for span in spans:
            start, end = paragraph.text.original_span(span.start, span.end)
            result.append(
                Sentence(
                    ordinal=len(result) + 1,
                    paragraph=paragraph.index,
                    section=paragraph.section,
                    page=page_of(start),
                    start=start,
                    end=end,
                    text=paragraph.text.text[span.start:span.end],
                    tokens=span.tokens,
                    kind=paragraph.kind,
                )
            )
    return result


def locate_quotes(paragraphs: list[Paragraph], sentences: list[Sentence], page_of) -> list[Quote]:
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
                page=page_of(start),
            )
        )
    return quotes


@dataclass
class IngestReport:
    ingested: list[IngestedDocument] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[BpError] = field(default_factory=list)


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
            document = ingest_document(raw, loaded)
            store.write_document(conn, document)
            report.ingested.append(document)
        except BpError as exc:
            report.errors.append(exc)
    return report
