"""User-facing errors: one line, naming the file (and line) at fault."""

from __future__ import annotations

from pathlib import Path


class BpError(Exception):
    """An error the CLI prints as a single line, without a traceback."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return f"{where}{self.message}"
