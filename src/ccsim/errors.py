"""Errors a user can cause, reported as one line before any simulation starts."""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "InputFileError"]


class ConfigError(ValueError):
    """A configuration value is not allowed.

    The message always names the key, the value given and what is allowed, so the CLI can print
    it as one line and exit with status 2.
    """

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"{key}={value!r}: {allowed}")


class InputFileError(ValueError):
    """A user-supplied data file (forecast, roster) is malformed: names file, line and column."""

    def __init__(self, path: str, line: int, column: str, problem: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        super().__init__(f"{path}:{line}: column {column!r}: {problem}")
