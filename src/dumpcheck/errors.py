"""One exception hierarchy, mapped to exit codes in exactly one place (the CLI).

Exit codes: 0 every expected table ok, 1 findings, 2 bad input or usage, 3 environment failure.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3


class DumpcheckError(Exception):
    """Root of every error dumpcheck raises on purpose; ``exit_code`` says how the CLI exits."""

    exit_code: int = EXIT_BAD_INPUT

    def one_line(self) -> str:
        """The message as one line, for stderr."""
        return " ".join(str(self).split())


class BadInputError(DumpcheckError):
    """The user gave us something we cannot use: a path, a file, an option."""

    exit_code = EXIT_BAD_INPUT


class DumpFormatError(BadInputError):
    """The file is not a pg_dump dump we can read (garbage, corrupt header, unknown version)."""


@dataclass
class SourceLocation:
    """Where in a text file something is: 1-based line and column."""

    file: str
    line: int
    column: int
    source_line: str = ""
    caret_column: int | None = None  # where the caret goes when source_line is a cut window

    def caret(self) -> str:
        """The offending line with a caret under the column."""
        if not self.source_line:
            return ""
        column = self.caret_column if self.caret_column is not None else self.column
        return f"{self.source_line}\n{' ' * max(column - 1, 0)}^"


class SchemaParseError(BadInputError):
    """A Prisma schema that does not parse or breaks a rule; carries file:line:col."""

    def __init__(self, message: str, location: SourceLocation) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location.file}:{location.line}:{location.column}: {message}")

    def with_caret(self) -> str:
        """The message followed by the offending line and a caret."""
        caret = self.location.caret()
        return f"{self}\n{caret}" if caret else str(self)


class EnvironmentFailure(DumpcheckError):  # noqa: N818 (the name says what failed)
    """The machine cannot do the job: no server binaries, the server would not start, disk full."""

    exit_code = EXIT_ENVIRONMENT


class BinaryNotFoundError(EnvironmentFailure):
    """No PostgreSQL binaries of a usable major version were found."""


class ScratchServerError(EnvironmentFailure):
    """The scratch server could not start, died, or refused us."""


class DiskFullError(EnvironmentFailure):
    """The scratch server or dumpcheck ran out of disk space."""
