"""The training corpus the project wrote itself (`corpus/training/`).

Sentences written for the codes, in the gold format with `source: "written"`, a register
and a domain; some belong to invented documents (`document`), coded in their context. They teach the classifier the many ways real texts speak of a theme, which
the essay alone cannot. They are training data only: never gold, never evaluated on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .codebook import Codebook
from .errors import BpError
from .gold import WRITTEN_SOURCE, GoldFile, GoldSentence, read_gold_files

DEFAULT_FOLDER = Path("corpus/training")
REGISTERS = (
    "local-news",
    "interview-quote",
    "portrait",
    "municipal",
    "newsletter",
    "testimonial",
    "farewell",
    "research",
)
_DOMAIN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def check_written(obj: dict) -> str | None:
    """What makes a valid gold record an invalid training record, or None."""
    if obj["source"] != WRITTEN_SOURCE:
        return f"source must be {WRITTEN_SOURCE!r} in a training file, got {obj['source']!r}"
    for key in ("register", "domain"):
        if key not in obj:
            return f"missing field {key!r}"
    if obj["register"] not in REGISTERS:
        return f"unknown register {obj['register']!r} (one of {', '.join(REGISTERS)})"
    if not _DOMAIN.fullmatch(obj["domain"]):
        return f"domain {obj['domain']!r} must be lower-case words joined by '-'"
    if "document" in obj and not obj["document"].strip():
        return "empty document"
    return None


def training_files(location: Path) -> list[Path]:
    """The `.jsonl` files of a folder (not its subfolders), or the one file given."""
    if location.is_file():
        return [location]
    if not location.is_dir():
        raise BpError("training corpus not found", location)
    files = sorted(location.glob("*.jsonl"))
    if not files:
        raise BpError("no .jsonl files in the training corpus folder", location)
    return files


def read_written(location: Path, codebook: Codebook) -> GoldFile:
    """Every training file of `location`; bad lines become problems with file and line."""
    return read_gold_files(training_files(location), codebook, check=check_written)


def refuse_written(gold: GoldFile) -> None:
    """Written sentences are what the model learned from; scoring on them measures nothing."""
    for s in gold.sentences:
        if s.written:
            raise BpError(
                "this is a written training sentence (source 'written'); written sentences are never an evaluation set",
                gold.path,
                s.line,
            )


def composition(sentences: Sequence[GoldSentence]) -> dict:
    """What the training data is made of, for the model card."""
    per_code: Counter[str] = Counter(c for s in sentences for c in s.codes)
    return {
        "sentences": len(sentences),
        "no_theme": sum(1 for s in sentences if not s.codes),
        "per_code": dict(sorted(per_code.items())),
        "per_source": dict(sorted(Counter("written" if s.written else s.source for s in sentences).items())),
        "per_register": dict(sorted(Counter(s.register for s in sentences if s.register).items())),
        "domains": len({s.domain for s in sentences if s.domain}),
        "documents": len({s.document for s in sentences if s.document}),
    }
