"""The one kind of failure the CLI prints: a line saying what to fix, and an exit code."""

from __future__ import annotations


class CliError(Exception):
    """A failure the user can fix, printed as one line with an exit code."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: " + ((str(exc).strip().splitlines() or [""])[0])
