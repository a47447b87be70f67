"""Loading the spaCy pipeline (the real model, another one, or the fallback) and running it.

The fallback exists because `nl_core_news_sm` is published outside PyPI: where it can't
be installed, `bp` still segments and lemmatizes, says so once, and records which
pipeline processed every document.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from .errors import BpError
from .records import Pipeline, Token

DEFAULT_MODEL = "nl_core_news_sm"
FALLBACK_NAME = "bp_fallback_nl"
MODEL_ENV = "BP_SPACY_MODEL"
INSTALL_HINT = "install it with `make model` (pinned release wheel) or pass --model PATH"
# components the stages never use; skipping them makes ingest faster
UNUSED_COMPONENTS = ("ner",)


@dataclass
class LoadedPipeline:
    nlp: object  # spacy.language.Language, typed loosely to keep spaCy out of module import
    info: Pipeline
    warning: str | None = None


def requested_model(option: str | None) -> str | None:
    return option or os.environ.get(MODEL_ENV) or None


def load_pipeline(name_or_path: str | None = None) -> LoadedPipeline:
    """The pipeline asked for (option, then $BP_SPACY_MODEL), else the default, else the fallback."""
    import spacy

    requested = requested_model(name_or_path)
    if requested:
        try:
            nlp = spacy.load(requested, exclude=list(UNUSED_COMPONENTS))
        except (OSError, ImportError, ValueError) as exc:
            raise BpError(f"cannot load spaCy pipeline: {str(exc).splitlines()[0]}", path=requested) from None
        return LoadedPipeline(nlp, _describe(nlp, requested))
    try:
        nlp = spacy.load(DEFAULT_MODEL, exclude=list(UNUSED_COMPONENTS))
    except OSError:
        nlp = build_fallback()
        warning = (
            f"{DEFAULT_MODEL} is not installed: using the fallback pipeline {FALLBACK_NAME} "
            f"(rule-based sentences, lookup lemmas, no POS); {INSTALL_HINT}"
        )
        return LoadedPipeline(nlp, fallback_info(), warning)
    return LoadedPipeline(nlp, _describe(nlp, DEFAULT_MODEL))


def _describe(nlp, requested: str) -> Pipeline:
    meta = nlp.meta
    name = f"{meta.get('lang', 'xx')}_{meta.get('name', requested)}" if meta.get("name") else requested
    return Pipeline(name=name, version=str(meta.get("version", "0")), is_fallback=False)


def fallback_info() -> Pipeline:
    import spacy
    from importlib.metadata import version

    return Pipeline(
        name=FALLBACK_NAME,
        version=f"spacy-{spacy.__version__}+lookups-{version('spacy-lookups-data')}",
        is_fallback=True,
    )


def build_fallback():
    """Blank Dutch with a rule-based sentence splitter and spaCy's lookup lemmatizer."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory("bp_sentence_repair"):
        Language.component("bp_sentence_repair", func=repair_sentence_starts)
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("bp_sentence_repair")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    try:
        nlp.initialize()
    except Exception as exc:  # spacy-lookups-data missing or broken
        raise BpError(f"fallback pipeline needs spacy-lookups-data: {exc}") from None
    nlp.meta["name"] = FALLBACK_NAME
    return nlp


def repair_sentence_starts(doc):
    """The punctuation splitter breaks after abbreviations (`p. 1`, `bv. een`); a Dutch
    sentence does not start in lower case or with a closing bracket, so undo those."""
    for token in doc[1:]:
        if token.is_sent_start and (token.text[:1].islower() or token.text[:1] in ")]:;,"):
            if token.text.lower() not in ("’s", "'s", "’t", "'t"):
                token.is_sent_start = False
    return doc


@dataclass(frozen=True)
class SentenceSpan:
    start: int  # character offsets in the processed text
    end: int
    tokens: tuple[Token, ...]


TOKEN_ATTRS = ("IDX", "LENGTH", "LEMMA", "POS", "IS_PUNCT", "IS_SPACE", "SENT_START")


def _sentences(doc, keep_whole: bool) -> list[SentenceSpan]:
    """Sentences with their tokens, read from the Doc's attribute arrays in one go: spaCy's
    per-token Python objects cost more than the fallback pipeline itself."""
    if not len(doc):
        return []
    strings = doc.vocab.strings
    text = doc.text
    idx, length, lemma, pos, punct, space, sent_start = (column.tolist() for column in doc.to_array(list(TOKEN_ATTRS)).T)
    starts = [0]
    if not keep_whole and doc.has_annotation("SENT_START"):
        starts = [i for i, flag in enumerate(sent_start) if flag == 1 or i == 0]
    result = []
    for first, stop in zip(starts, starts[1:] + [len(idx)]):
        span_start, span_end = idx[first], idx[stop - 1] + length[stop - 1]
        piece = text[span_start:span_end]
        stripped = piece.rstrip()
        if not stripped.strip():
            continue
        lead = len(piece) - len(piece.lstrip())
        tokens = []
        for i in range(first, stop):
            if space[i]:
                continue
            word = text[idx[i]:idx[i] + length[i]]
            tokens.append(Token(word, strings[lemma[i]] if lemma[i] else word, strings[pos[i]] if pos[i] else "", bool(punct[i])))
        result.append(SentenceSpan(span_start + lead, span_start + len(stripped), tuple(tokens)))
    return result


def segment(nlp, texts: Iterable[tuple[str, bool]], batch_size: int = 64, n_process: int = 1) -> Iterator[list[SentenceSpan]]:
    """Sentences of each (text, keep whole) pair, read lazily through one `nlp.pipe`
    stream; texts kept whole (headings, figure labels) stay one sentence."""
    for doc, keep_whole in nlp.pipe(texts, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield _sentences(doc, keep_whole)
