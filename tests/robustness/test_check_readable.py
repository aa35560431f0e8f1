"""check_readable: a path that is no dump file or directory is a one-line BadInputError."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dumpcheck.errors import BadInputError, DumpFormatError
from dumpcheck.inventory.source import check_readable


def test_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BadInputError, match="a FIFO"):
        check_readable(fifo)  # opening it would block until a writer comes


def test_symlink_loop_is_named(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(BadInputError, match="symbolic link loop"):
        check_readable(tmp_path / "a")


def test_missing_empty_and_fine(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        check_readable(tmp_path / "nope")
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(DumpFormatError, match="empty file"):
        check_readable(tmp_path / "empty")
    (tmp_path / "ok.sql").write_text("--\n")
    check_readable(tmp_path / "ok.sql")
    check_readable(tmp_path)


def test_sqlglot_errors_are_value_errors() -> None:
    """The DDL reader records ValueErrors as unparsed statements; sqlglot's TokenError and
    ParseError are no ValueErrors by themselves (a flipped bit leaves an unterminated quote)."""
    from dumpcheck.inventory.ddl.sqlglot_bridge import sqlglot_constraint

    with pytest.raises(ValueError, match="sqlglot"):
        sqlglot_constraint("x", 'CONSTRAINT x UNIQUE ("na)')
    with pytest.raises(ValueError, match="sqlglot"):
        sqlglot_constraint("x", "CONSTRAINT x UNIQUE ((((")


def test_unterminated_quote_is_recorded_as_unparsed() -> None:
    """Recording an unparsable statement must not itself trip on the quote that broke it."""
    from dumpcheck.inventory.ddl import DdlReader, shorten

    assert shorten('ALTER TABLE "a\n   b') == 'ALTER TABLE "a b'
    reader = DdlReader()
    reader.feed('CREATE TABLE public.t (\n    "na\x9ame integer\n);', "line 1")
    assert len(reader.state.unparsed) == 1


@pytest.mark.parametrize(
    ("version", "major"),
    [
        ("18.1", 18),
        ("18beta1", 18),
        ("17devel", 17),
        ("9.6.24", 9),
        ("\x8d\x9as", None),
        ("", None),
    ],
)
def test_pg_dump_major_of_odd_versions(version: str, major: int | None) -> None:
    from dumpcheck.inventory.model import DumpFacts

    assert DumpFacts(path="x", format="plain", pg_dump_version=version).pg_dump_major == major
