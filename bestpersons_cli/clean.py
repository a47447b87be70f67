"""Repairs for what PDF/OCR extraction broke, each one logged with its original offsets.

Every repair is a small pure function `text -> list[Edit]`; `clean_text` runs them in
order on a MappedText so the cleaned text still points back into the original file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import product
from typing import Callable

from .records import DroppedSpan, Edit, MappedText

Repair = Callable[[str], list[Edit]]

LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"
WORD_SHAPE = re.compile(rf"^[\"'“‘(\[]*[{LETTER}]+(?:[-'’][{LETTER}]+)*[.,;:!?)\]”’\"]*$")
GARBAGE_SYMBOLS = set("%@\\/|{}~^")  # what scanned handwriting leaves; not footnote marks
LIGATURE_LETTERS = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
URL_LIKE = re.compile(r"https?:|www\.|\.nl\b|\.pdf\b", re.IGNORECASE)
NUMBER_OR_SIGN = re.compile(r"^[(\[]*(?:[\d/.:-]+|&|[-–—])[)\],.;:]*$")
TABLE_ROW_LINE = re.compile(r"^\|(?=.*\w).*\|$")  # `| Jaar | Aantal |` from a Word table, not scanner noise
STANDALONE_NUMBER = re.compile(r"^[ \t]*(\d{1,3})[ \t]*$", re.MULTILINE)


@lru_cache(maxsize=200_000)
def dutch_zipf(word: str) -> float:
    """Frequency of a word in Dutch (wordfreq's maintained word list), 0 when unknown."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "nl")


def _line_spans(text: str):
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line), line
        start += len(line) + 1


# --- garbage lines -------------------------------------------------------------------------


def garbage_score(line: str) -> tuple[float, int]:
    """Share of tokens that look like real words, and the number of scanner symbols.

    A ligature counts as a scanner symbol only inside a token that is no word once the
    ligature is spelled out: PDF text writes `ﬁnanciering`, scanned handwriting `mﬂwfm`.
    """
    tokens = line.split()
    if not tokens:
        return 1.0, sum(ch in GARBAGE_SYMBOLS for ch in line)
    good, symbols = 0, 0
    for token in tokens:
        token_good, token_symbols = token_verdict(token)
        good += token_good
        symbols += token_symbols
    return good / len(tokens), symbols


@lru_cache(maxsize=500_000)
def token_verdict(raw: str) -> tuple[bool, int]:
    """Whether a token looks like a real word, and its scanner symbols; tokens repeat,
    so each is judged once."""
    token = expand_ligatures(raw)
    symbols = sum(ch in GARBAGE_SYMBOLS for ch in raw)
    if raw != token and dutch_zipf(re.sub(rf"[^{LETTER}]", "", token)) == 0:
        symbols += 1
    if NUMBER_OR_SIGN.match(token):
        return True, symbols
    if not WORD_SHAPE.match(token):
        return False, symbols
    core = re.sub(rf"[^{LETTER}'’-]", "", token)
    return bool(dutch_zipf(core) > 0 or (core[:1].isupper() and core[1:].islower())), symbols


def expand_ligatures(token: str) -> str:
    return "".join(LIGATURE_LETTERS.get(ch, ch) for ch in token)


def is_garbage_line(line: str) -> bool:
    """Scanned handwriting comes out as lines of broken words and stray symbols."""
    stripped = line.strip()
    if not stripped or URL_LIKE.search(stripped) or STANDALONE_NUMBER.match(stripped) or TABLE_ROW_LINE.match(stripped):
        return False
    if not re.search(rf"[{LETTER}0-9]", stripped):
        return any(ch in GARBAGE_SYMBOLS or ch in LIGATURE_LETTERS for ch in stripped)
    ratio, symbols = garbage_score(stripped)
    words = len(stripped.split())
    if symbols >= 2 and ratio < 0.75:
        return True
    return words >= 3 and ratio < 0.4


def drop_garbage_lines(text: str) -> list[Edit]:
    edits = []
    for start, end, line in _line_spans(text):
        if is_garbage_line(line):
            edits.append(Edit(start, min(end + 1, len(text)), "", "garbage-line"))
    return edits


# --- page numbers and note numbers on their own lines ---------------------------------------


def page_number_lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, value) of lines that hold only a number."""
    return [(m.start(), m.end(), int(m.group(1))) for m in STANDALONE_NUMBER.finditer(text)]


def drop_number_lines(text: str) -> list[Edit]:
    """Numbers alone on a line are page numbers or endnote numbers, never prose."""
    edits = []
    for start, end, _value in page_number_lines(text):
        edits.append(Edit(start, min(end + 1, len(text)), "", "page-number"))
    return edits


# --- hyphenation across line ends -----------------------------------------------------------

# tried once per word (a match starts where a word starts), not at every letter
LINE_END_HYPHEN = re.compile(rf"(?<![{LETTER}])([{LETTER}]++)-[ \t]*\n[ \t]*([{LETTER}]+)")
CONJUNCTIONS = {"en", "of", "tot", "noch", "en/of"}


def keep_line_end_hyphen(left: str, right: str, vocabulary: set[str] = frozenset()) -> bool:
    """True when a hyphen at a line end is a real one (`werk- of`, `opstart-verloop-afloop`).

    Evidence in order: a conjunction or capital after it; how the same word is written
    elsewhere in the document; a hyphen chain; the Dutch word list. Dutch compounds are
    written closed, so without evidence the parts are joined.
    """
    if right.lower() in CONJUNCTIONS or right[:1].isupper():
        return True
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if joined in vocabulary:
        return False
    if hyphenated in vocabulary or "-" in left:
        return True
    if dutch_zipf(joined) > 0:
        return False
    return len(left) >= 3 and len(right) >= 3 and min(dutch_zipf(left), dutch_zipf(right)) >= 3.0


WORD_FORM = re.compile(rf"[{LETTER}]+(?:-[{LETTER}]+)*")


def vocabulary_of(text: str) -> frozenset[str]:
    """How words are written in a text: evidence for line-end hyphens."""
    return frozenset(m.group().lower() for m in WORD_FORM.finditer(text))


def join_hyphenated_words(text: str, vocabulary: frozenset[str] | None = None) -> list[Edit]:
    """`vocabulary` is that of the whole document when `text` is one part of it."""
    if vocabulary is None:
        vocabulary = vocabulary_of(text)
    edits = []
    for m in LINE_END_HYPHEN.finditer(text):
        left, right = m.group(1), m.group(2)
        word_start = m.start(1)
        while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "-"):
            word_start -= 1
        full_left = text[word_start:m.end(1)]
        gap_start, gap_end = m.end(1), m.start(2)
        if keep_line_end_hyphen(full_left, right, vocabulary):
            separator = " " if right.lower() in CONJUNCTIONS else ""
            edits.append(Edit(gap_start + 1, gap_end, separator))  # keep "-", drop the break
        else:
            edits.append(Edit(gap_start, gap_end, "", "line-end-hyphen"))
    return edits


# --- footnote marks glued to words or punctuation -------------------------------------------

FOOTNOTE_SYMBOLS = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰®™¢»]+\*?")
# digits right after sentence punctuation: "wijk.5 De", "“commons” .4"; not "2.5" or "p. 1"
FOOTNOTE_DIGITS = re.compile(r"(?=\d)(?:(?<=[^\d\s][.,;:])|(?<=\s\.)|(?<=[)”’]))\d{1,2}[+*]?(?=\s|$)")  # (?=\d) first: fast
# OCR reads a superscript after punctuation as ? > = : "2006),?" "2013.>" "wendbaar= te"
FOOTNOTE_PUNCT = re.compile(r"(?=[?>=])(?:(?<=[.,)])[?>]+|(?<=[a-zà-ÿ])=)(?=[\s®™¢»*]|$)")


QUOTE_MARKS = re.compile('[“„”"]')


def stray_closing_quotes(text: str) -> list[tuple[int, int]]:
    """Closing quotes with nothing open before them in the paragraph: OCR'd footnote marks."""
    spans = []
    for block in re.finditer(r"(?:.+\n?)+", text):
        depth = 0
        straight_open = False
        body = block.group(0)
        for mark in QUOTE_MARKS.finditer(body):
            i, ch = mark.start(), mark.group()
            if ch in "“„":
                depth += 1
            elif ch == "”":
                if depth > 0:
                    depth -= 1
                elif i > 0 and body[i - 1] in ".,;:)" and (i + 1 == len(body) or body[i + 1].isspace()):
                    spans.append((block.start() + i, block.start() + i + 1))
            else:
                closing_shape = i > 0 and body[i - 1] in ".)" and (i + 1 == len(body) or body[i + 1].isspace())
                if closing_shape and not straight_open:
                    spans.append((block.start() + i, block.start() + i + 1))
                else:
                    straight_open = not straight_open
    return spans


def drop_footnote_marks(text: str) -> list[Edit]:
    spans = {(m.start(), m.end()) for m in FOOTNOTE_SYMBOLS.finditer(text)}
    spans |= {(m.start(), m.end()) for m in FOOTNOTE_DIGITS.finditer(text)}
    spans |= {(m.start(), m.end()) for m in FOOTNOTE_PUNCT.finditer(text)}
    spans |= set(stray_closing_quotes(text))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [Edit(start, end, "", "footnote-mark") for start, end in merged]


# --- é read for ë ---------------------------------------------------------------------------

ACCENTED_WORD = re.compile(rf"[{LETTER}]*é[{LETTER}]*")
E_READINGS = ("é", "ë", "ö", "è")  # OCR turns ë (and sometimes ö, è) into é


def repair_diaeresis_word(word: str) -> str | None:
    """The best spelling of `word` with each é read as é/ë/ö/è, if clearly better than as is."""
    lower = word.lower()
    current = dutch_zipf(lower)
    positions = [i for i, ch in enumerate(lower) if ch == "é"]
    if len(positions) > 3:
        return None
    best, best_score = None, current
    for choice in product(E_READINGS, repeat=len(positions)):
        chars = list(word)
        for pos, reading in zip(positions, choice):
            chars[pos] = reading
        candidate = "".join(chars)
        if candidate == word:
            continue
        score = dutch_zipf(candidate.lower())
        if score > best_score:
            best, best_score = candidate, score
    if best is None:
        return None
    if current > 0 and (best_score < 2.0 or best_score - current < 1.5):
        return None
    return best


def repair_diaeresis(text: str) -> list[Edit]:
    edits = []
    for m in ACCENTED_WORD.finditer(text):
        repaired = repair_diaeresis_word(m.group(0))
        if repaired is None:
            continue
        for i, (old, new) in enumerate(zip(m.group(0), repaired)):
            if old != new:
                edits.append(Edit(m.start() + i, m.start() + i + 1, new, "diaeresis"))
    return edits


# --- composition ----------------------------------------------------------------------------


def normalize_newlines(text: str) -> list[Edit]:
    return [Edit(m.start(), m.end(), "\n") for m in re.finditer(r"\r\n?|\f|[\x0b\x1c-\x1e\x85\u2028\u2029]", text)]


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
INVISIBLE_CHARS = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
LIGATURES = re.compile("[\ufb00-\ufb06]")
COMBINING_SEQUENCE = re.compile(r"[^\W\d_][\u0300-\u036f]+")


def normalize_unicode(text: str) -> list[Edit]:
    """One spelling for one text: control characters and invisible marks go (logged),
    odd spaces become spaces and letter + combining accent the composed letter (NFC), so
    search and lemmas see `café` however it was typed. Ligatures wait for `split_ligatures`."""
    import unicodedata

    candidates = [Edit(m.start(), m.end(), "", "control-char") for m in CONTROL_CHARS.finditer(text)]
    candidates += [Edit(m.start(), m.end(), "", "invisible-char") for m in INVISIBLE_CHARS.finditer(text)]
    candidates += [Edit(m.start(), m.end(), " ") for m in ODD_SPACES.finditer(text)]
    for m in COMBINING_SEQUENCE.finditer(text):
        composed = unicodedata.normalize("NFC", m.group())
        if composed != m.group():
            candidates.append(Edit(m.start(), m.end(), composed, "unicode-nfc"))
    edits: list[Edit] = []
    for edit in sorted(candidates, key=lambda e: (e.start, e.end)):
        if not edits or edit.start >= edits[-1].end:
            edits.append(edit)
    return edits


def split_ligatures(text: str) -> list[Edit]:
    """`ﬁ` -> `fi`: after garbage detection, which reads a ligature in a non-word as a scanner sign."""
    return [Edit(m.start(), m.end(), LIGATURE_LETTERS[m.group()], "ligature") for m in LIGATURES.finditer(text)]


REPAIRS: tuple[Repair, ...] = (
    normalize_newlines,
    normalize_unicode,
    drop_garbage_lines,
    split_ligatures,
    drop_number_lines,
    join_hyphenated_words,
    drop_footnote_marks,
    repair_diaeresis,
)


def repairs_for_part(vocabulary: frozenset[str]) -> tuple[Repair, ...]:
    """The repairs for one part of a long document, judging hyphens by the whole of it."""
    from functools import partial

    joined = partial(join_hyphenated_words, vocabulary=vocabulary)
    return tuple(joined if repair is join_hyphenated_words else repair for repair in REPAIRS)


LINE_BREAK = re.compile(r"\r\n|\r(?!\n)|\n")  # Unix, Windows and old Mac line ends


def line_starts(original: str) -> list[int]:
    return [0] + [m.end() for m in LINE_BREAK.finditer(original)]


def line_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset)


def clean_text(
    original: str, repairs: tuple[Repair, ...] = REPAIRS, origin: int = 0, first_line: int = 1
) -> tuple[MappedText, list[DroppedSpan]]:
    """Run every repair in order; return the cleaned text and the log of what changed.

    `original` may be a part of a file that starts at offset `origin` on line
    `first_line`: offsets and lines are then those of the file.
    """
    current = MappedText.identity(original, origin)
    dropped: list[DroppedSpan] = []
    starts = line_starts(original)
    for repair in repairs:
        edits = repair(current.text)
        for edit in edits:
            if edit.reason is None:
                continue
            start, end = current.original_span(edit.start, edit.end)
            dropped.append(
                DroppedSpan(
                    start, end, first_line - 1 + line_of(starts, start - origin), edit.reason,
                    original[start - origin:end - origin], edit.replacement,
                )
            )
        current = current.apply(edits)
    dropped.sort(key=lambda d: (d.start, d.end, d.reason))
    return current, dropped
