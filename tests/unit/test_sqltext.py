"""The scanner helpers read identifiers and dollar quotes as PostgreSQL's scan.l does."""

from __future__ import annotations

import pytest

from dumpcheck.sqltext import read_ident, skip_quoted

# Every ASCII character, and non-ASCII ones at the edges of the planes and of the surrogates.
CHARACTERS = (
    [chr(c) for c in range(0x80)]
    + [chr(c) for c in (0x80, 0xFF, 0x100, 0x3B1, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFFFF, 0x10000)]
    + [chr(0x10FFFF)]
)


def _starts(ch: str) -> bool:  # scan.l ident_start: [A-Za-z\200-\377_]
    return (ch.isascii() and (ch.isalpha() or ch == "_")) or not ch.isascii()


def _continues(ch: str) -> bool:  # scan.l ident_cont: [A-Za-z\200-\377_0-9\$]
    return _starts(ch) or (ch.isascii() and ch.isdigit()) or ch == "$"


def _folded(name: str) -> str:  # unquoted names fold ASCII letters only
    return "".join(c.lower() if c.isascii() else c for c in name)


@pytest.mark.parametrize("ch", CHARACTERS, ids=lambda ch: f"U+{ord(ch):04X}")
def test_identifier_characters_are_scan_ls(ch: str) -> None:
    if _starts(ch):
        assert read_ident(ch + "x", 0) == (_folded(ch + "x"), 2)
    elif not ch.isspace() and ch not in '-"':
        with pytest.raises(ValueError):
            read_ident(ch + "x", 0)
    word = "Ab" + ch + "c"
    end = 4 if _continues(ch) else 2
    assert read_ident(word + " ", 0) == (_folded(word[:end]), end)


@pytest.mark.parametrize("ch", CHARACTERS, ids=lambda ch: f"U+{ord(ch):04X}")
def test_dollar_quote_tags_are_scan_ls(ch: str) -> None:
    """A tag is an identifier without $ (scan.l dolq_start, dolq_cont)."""
    tag = "$t" + ch + "$"
    text = f"{tag}body{tag} rest"
    if _continues(ch) and ch != "$":
        assert skip_quoted(text, 0) == len(text) - len(" rest")
    else:
        assert skip_quoted(text, 0) != len(text) - len(" rest")
