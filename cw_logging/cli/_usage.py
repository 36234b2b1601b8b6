"""The CLI's own error for a wrong argument, and the parser class that raises it."""

from __future__ import annotations

import argparse
from typing import NoReturn

__all__ = ["Parser", "UsageError"]


class UsageError(Exception):
    """A command-line argument is wrong: ``message`` says which, ``hint`` what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (no usage dump), raised as UsageError."""

    def error(self, message: str) -> NoReturn:
        """Raise :class:`UsageError` with ``message`` and where to find help."""
        raise UsageError(message, f"see {self.prog} --help")
