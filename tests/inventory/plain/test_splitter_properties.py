"""Property tests: random identifiers, strings, dollar bodies and COPY rows reassemble exactly."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from dumpcheck.inventory.plain import CopyBlock, Statement, iter_plain

_TEXT = st.text(alphabet=st.sampled_from(list("ab;'\"$\\\n\t -/*()é")), min_size=0, max_size=12)


def _quoted_ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _e_string(s: str) -> str:
    return "E'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _comment_body(s: str) -> str:
    # Neither "*/" nor "/*" may survive: one pass of replace can make a new one ("**//" -> "*/"),
    # and a comment that ends early is not the statement the test means.
    while "*/" in s or "/*" in s:
        s = s.replace("*/", "").replace("/*", "")
    return s.rstrip("/*")


@st.composite
def _dollar(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(["", "x", "_body", "f1"]))
    body = draw(_TEXT)
    delim = f"${tag}$"
    if delim in body or body.endswith("$"):
        body = body.replace("$", "")
    return f"{delim}{body}{delim}"


_PIECE = st.one_of(
    _TEXT.map(_quoted_ident),
    _TEXT.map(_string),
    _TEXT.map(_e_string),
    _dollar(),
    _TEXT.filter(lambda s: "\n" not in s).map(lambda s: f"-- {s}\n"),
    _TEXT.map(lambda s: "/* " + _comment_body(s) + " */"),
    st.sampled_from(["a$b", "$1", "(1; 2)", "x - y", "x / y"]),
)
_STATEMENT = st.lists(_PIECE, min_size=1, max_size=5).map(lambda p: "SELECT " + " ".join(p) + ";")


def _copy_row(values: list[str]) -> bytes:
    # COPY text format: backslash, newline and tab inside values are escaped.
    escaped = [
        v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        for v in values
    ]
    return ("\t".join(escaped) + "\n").encode()


_ROWS = st.lists(st.lists(_TEXT, min_size=1, max_size=3), max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(st.one_of(_STATEMENT, _ROWS), min_size=1, max_size=6),
    read_size=st.integers(min_value=1, max_value=40),
)
def test_reassembles_exactly(items: list[str | list[list[str]]], read_size: int) -> None:
    dump = bytearray()
    expected: list[object] = []
    for item in items:
        if isinstance(item, str):
            dump += item.encode() + b"\n"
            expected.append(item)
        else:
            data = b"".join(_copy_row(r) for r in item)
            dump += b'COPY public."t;x" (a) FROM stdin;\n' + data + b"\\.\n"
            expected.append((data, len(item)))
    got: list[object] = []
    for it in iter_plain(io.BytesIO(bytes(dump)), read_size=read_size):
        if isinstance(it, CopyBlock):
            data = b"".join(it.data)
            assert it.complete
            got.append((data, it.rows))
        else:
            assert isinstance(it, Statement)
            got.append(it.text)
    assert got == expected
