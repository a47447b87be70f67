"""Interview, meeting and literature quotes, found on paragraphs before sentence splitting.

A quote is a span of a paragraph (or a whole paragraph) plus who said it. Interview
citations look like `[interview 8]` and close a block quote, introduce one with a colon,
or follow an inline quote; `[bijeenkomst …]` cites a meeting. Literature is cited as
`(Van der Lans, 2014: 20)` and kept apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .records import Paragraph
from .structure import TURN

CITATION = re.compile(r"\[\s*(interview|bijeenkomst)\s+([^\]]{1,40}?)\s*\]", re.IGNORECASE)
# OCR confuses digits with look-alike letters: "[interview s]" is interview 5
OCR_DIGITS = str.maketrans({"s": "5", "S": "5", "l": "1", "I": "1", "i": "1", "o": "0", "O": "0", "B": "8", "z": "2", "Z": "2", "g": "9"})
LITERATURE_CITATION = re.compile(
    r"\((?:[^()]*?[A-Z][^()]*?,?\s*)?\d{4}[a-z]?(?::\s*[\divxlc]+(?:[-–]\d+)?)?\)|"
    r"\b[A-Z][\w’'-]+(?:\s+(?:van|der|den|de|en|&|et al\.|[A-Z][\w’'-]+))*\s*\(\d{4}[a-z]?(?::\s*[\d]+(?:[-–]\d+)?)?[^()]*\)"
)
SPEECH_VERB = re.compile(r"\b(schreef|schrijft|stelde|stelt|zei|zegt|benadrukte|benadrukt|verwoordde|verwoordt|aldus)\b")
OPENERS = {"“": "”", "„": "”", '"': '"', "‘": "’"}


@dataclass(frozen=True)
class QuoteSpan:
    """A quote in paragraph coordinates, before sentences and original offsets exist."""

    kind: str  # interview, meeting, literature
    source_id: str
    number: int | None
    paragraph: int
    start: int
    end: int


def interview_number(raw: str) -> int | None:
    fixed = raw.strip().translate(OCR_DIGITS)
    return int(fixed) if fixed.isdigit() else None


def _source(kind: str, raw: str) -> tuple[str, str, int | None]:
    if kind.lower() == "interview":
        number = interview_number(raw)
        return "interview", f"interview {number if number is not None else raw.strip()}", number
    return "meeting", f"bijeenkomst {' '.join(raw.split())}", None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def inline_quote_before(text: str, limit: int, window: int = 40) -> tuple[int, int] | None:
    """The “…” span that closes at most `window` characters before `limit`."""
    closing_at = None
    for i in range(limit - 1, max(-1, limit - window - 1), -1):
        if text[i] in "”\"’":
            closing_at = i
            break
    if closing_at is None:
        return None
    closer = text[closing_at]
    openers = [o for o, c in OPENERS.items() if c == closer]
    for j in range(closing_at - 1, -1, -1):
        if text[j] in openers and (closer != '"' or j == 0 or not text[j - 1].isalnum()):
            return j + 1, closing_at
    return None


def _ends_with_citation(text: str, match: re.Match) -> bool:
    return not text[match.end():].strip(" .")


def find_quotes(paragraphs: list[Paragraph]) -> list[QuoteSpan]:
    quotes: list[QuoteSpan] = []
    quoted_paragraphs: set[int] = set()
    for position, paragraph in enumerate(paragraphs):
        text = paragraph.text.text
        for match in CITATION.finditer(text):
            kind, source_id, number = _source(match.group(1), match.group(2))
            after = text[match.end():].strip()
            if after.startswith(":") and not after[1:].strip() and position + 1 < len(paragraphs):
                target = paragraphs[position + 1]
                quotes.append(QuoteSpan(kind, source_id, number, target.index, 0, len(target.text.text)))
                quoted_paragraphs.add(target.index)
                continue
            inline = inline_quote_before(text, match.start())
            block = _ends_with_citation(text, match) and (
                position > 0 and paragraphs[position - 1].text.text.rstrip().endswith(":") or inline is None
            )
            if block:
                start, end = _trim(text, 0, match.start())
                quotes.append(QuoteSpan(kind, source_id, number, paragraph.index, start, end))
                quoted_paragraphs.add(paragraph.index)
            elif inline is not None:
                quotes.append(QuoteSpan(kind, source_id, number, paragraph.index, *inline))
    quotes.extend(find_literature_quotes(paragraphs, quoted_paragraphs))
    return sorted(quotes, key=lambda q: (q.paragraph, q.start))


def find_literature_quotes(paragraphs: list[Paragraph], taken: set[int]) -> list[QuoteSpan]:
    found: list[QuoteSpan] = []
    for position, paragraph in enumerate(paragraphs):
        text = paragraph.text.text
        if paragraph.kind != "text":
            continue
        # block quotes from literature or documents: introduced with a colon by a citing sentence
        if position > 0 and paragraph.index not in taken and not CITATION.search(text):
            intro = paragraphs[position - 1].text.text.rstrip()
            last_sentence = re.split(r"(?<=[.!?])\s+", intro)[-1]
            if intro.endswith(":") and (LITERATURE_CITATION.search(last_sentence) or SPEECH_VERB.search(last_sentence)):
                citations = LITERATURE_CITATION.findall(intro)
                source = citations[-1].strip() if citations else last_sentence.rstrip(":").strip()
                found.append(QuoteSpan("literature", source, None, paragraph.index, 0, len(text)))
                taken.add(paragraph.index)
                continue
        if paragraph.index in taken:
            continue
        # inline quotes of four words or more with a literature citation right after or before
        for match in re.finditer(r"[“„]([^”“]{12,}?)”", text):
            words = len(match.group(1).split())
            if words < 4:
                continue
            following = LITERATURE_CITATION.match(text, match.end() + (1 if text[match.end():match.end() + 1] == " " else 0))
            sentence_start = max(text.rfind(". ", 0, match.start()), 0)
            preceding = list(LITERATURE_CITATION.finditer(text[sentence_start:match.start()]))
            if following:
                source = following.group(0).strip("() ")
            elif preceding:
                source = preceding[-1].group(0).strip()
            else:
                continue
            found.append(QuoteSpan("literature", source, None, paragraph.index, match.start(1), match.end(1)))
    return found


# --- interview transcripts ----------------------------------------------------------------

INTERVIEWERS = {"i", "int", "interviewer", "interviewster", "onderzoeker", "vraag", "v", "q", "moderator"}
INTERVIEW_HEADER = re.compile(
    r"^\s*(?:interview|gesprek)(?:\s*(?:nr|nummer|id|code))?\.?\s*[:#]?\s*(?P<id>[\w-]+)\s*$", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class Transcript:
    """An interview transcript: who is interviewed is everybody but the interviewer."""

    interview: str  # the id quotes are filed under
    number: int | None
    speakers: frozenset[str] = frozenset()  # the labels that open turns, lower case


def transcript_of(text: str, file_name: str) -> Transcript | None:
    """A Transcript when the text is one: three or more speaker turns, two speakers or
    more, one of them an interviewer, and turns on at least a third of the lines.
    The interview id comes from a header line (`Interview: 12`) before the first turn,
    else from the file name."""
    lines = [line for line in text.splitlines() if line.strip()]
    speakers = speakers_of(lines)
    turns = [line for line in lines if _speaker(line) in speakers]
    if len(turns) < 3 or len(speakers) < 2 or not speakers & INTERVIEWERS or len(turns) * 3 < len(lines):
        return None
    first_turn = next(i for i, line in enumerate(lines) if _speaker(line) in speakers)
    header = INTERVIEW_HEADER.search("\n".join(lines[:first_turn]))
    stem = file_name.rsplit(".", 1)[0]
    if header:
        interview = header.group("id")
    else:
        digits = re.search(r"\d+", stem)
        interview = digits.group() if digits else stem
    number = int(interview) if interview.isdigit() else None
    return Transcript(str(number) if number is not None else interview, number, frozenset(speakers))


def _speaker(line: str) -> str | None:
    turn = TURN.match(line)
    return turn.group("speaker").lower().rstrip(".") if turn else None


def speakers_of(lines: list[str]) -> set[str]:
    """Labels that open two turns or more, or name an interviewer: `Datum: 3 maart` in a
    header is said once and is no speaker."""
    counts: dict[str, int] = {}
    for speaker in filter(None, map(_speaker, lines)):
        counts[speaker] = counts.get(speaker, 0) + 1
    return {s for s, n in counts.items() if n >= 2 or s in INTERVIEWERS}


def find_turn_quotes(paragraphs: list[Paragraph], transcript: Transcript) -> list[QuoteSpan]:
    """Every turn of the person interviewed is a quote, without its speaker label."""
    quotes = []
    for paragraph in paragraphs:
        text = paragraph.text.text
        turn = TURN.match(text)
        speaker = turn.group("speaker").lower().rstrip(".") if turn else None
        if speaker not in transcript.speakers or speaker in INTERVIEWERS:
            continue
        start, end = _trim(text, turn.end(), len(text))
        if start < end:
            quotes.append(QuoteSpan("interview", f"interview {transcript.interview}", transcript.number, paragraph.index, start, end))
    return quotes
