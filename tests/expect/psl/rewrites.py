"""Rewrites of a Prisma schema that Prisma accepts and that change nothing it builds.

Each one follows the grammar (expect/psl/grammar.py): comments of the three kinds on lines of
their own or once after a line, spaces and tabs between parts and blank lines between lines,
a bare field where a one-element list was, blocks in another order, a field's attributes in
another order, and the blocks spread over several files. (Trailing commas are not among
them: Prisma 7.10 rejects one in an attribute's arguments and in a list.)
"""

from __future__ import annotations

import random
import re

COMMENTS = ("// a comment", "/// documentation", "/* a block comment */", "/**\n * doc\n */")
_BLOCK_START = re.compile(r"^(model|enum|view|type|datasource|generator)\b")
_FIELD = re.compile(r"^(\s+)([A-Za-z]\w*)(\s+)(\S+)(.*)$")
_SINGLE_LIST = re.compile(r"(@@(?:index|unique|id)\(|\b(?:fields|references): )\[(\w+)\]")


def blocks_of(text: str) -> list[str]:
    """The top-level blocks, each with the comment lines right above it."""
    blocks: list[str] = []
    current: list[str] = []
    inside = False
    for line in text.splitlines():
        current.append(line)
        if not inside and _BLOCK_START.match(line):
            inside = True
        elif inside and line.startswith("}"):
            inside = False
            blocks.append("\n".join(current))
            current = []
    if current and any(x.strip() for x in current):
        blocks.append("\n".join(current))
    return blocks


def _in_comment(lines: list[str], upto: int) -> bool:
    opened = "\n".join(lines[:upto])
    return opened.count("/*") > opened.count("*/")


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("//", "/*", "*", "}")) and "{" not in line


def add_comments(text: str, rng: random.Random) -> str:
    """Comment lines here and there, and trailing comments after some fields and attributes."""
    lines = text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if rng.random() < 0.15 and not _in_comment(lines, i):
            out.append(rng.choice(COMMENTS))
        if (
            _content(line)
            and not _in_comment(lines, i)
            and "//" not in line
            and "/*" not in line
            and rng.random() < 0.2
        ):
            line += " " + rng.choice(("// trailing", "/// doc", "/* trailing */"))
        out.append(line)
    return "\n".join(out) + "\n"


def respace(text: str, rng: random.Random) -> str:
    """Other indentation, runs of spaces and tabs between a field's parts, blank lines."""
    out: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if rng.random() < 0.1:
            out.append(rng.choice(("", "  ", "\t")))
        m = _FIELD.match(line)
        if m and not _in_comment(lines, i) and _content(line):
            gap = rng.choice((" ", "\t", "   ", " \t "))
            indent = rng.choice(("  ", "\t", "    ", " "))
            line = f"{indent}{m[2]}{gap}{m[4]}{m[5]}"
        out.append(line)
    return "\n".join(out) + "\n"


def bare_single_values(text: str, rng: random.Random) -> str:
    """``@@index([a])`` as ``@@index(a)``, ``fields: [a]`` as ``fields: a``."""
    return _SINGLE_LIST.sub(lambda m: m[1] + m[2] if rng.random() < 0.7 else m[0], text)


def shuffle_blocks(text: str, rng: random.Random) -> str:
    """The same blocks in another order."""
    blocks = blocks_of(text)
    rng.shuffle(blocks)
    return "\n\n".join(blocks) + "\n"


def _attributes(rest: str) -> tuple[list[str], str] | None:
    """A field line's attributes, split at top level, and what follows them."""
    parts: list[str] = []
    i, n = 0, len(rest)
    while i < n:
        gap = i
        while i < n and rest[i] in " \t":
            i += 1
        if i >= n or rest[i] != "@" or rest.startswith("@@", i):
            i = gap  # the comment after the attributes keeps the space before it
            break
        start, depth, quote = i, 0, False
        i += 1
        while i < n:
            ch = rest[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    quote = False
            elif ch == '"':
                quote = True
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and (ch in " \t@" or rest.startswith(("//", "/*"), i)):
                break  # a comment may follow an attribute with no space between
            i += 1
        parts.append(rest[start:i])
    tail = rest[i:]
    if tail.strip() and not tail.strip().startswith(("//", "/*")):
        return None
    return parts, tail


def shuffle_attributes(text: str, rng: random.Random) -> str:
    """A field's attributes in another order."""
    out: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _FIELD.match(line)
        if m and _content(line) and not _in_comment(lines, i):
            split = _attributes(m[5])
            if split is not None and len(split[0]) > 1:
                attrs, tail = split
                rng.shuffle(attrs)
                line = f"{m[1]}{m[2]}{m[3]}{m[4]} {' '.join(attrs)}{tail}"
        out.append(line)
    return "\n".join(out) + "\n"


def split_files(text: str, rng: random.Random, count: int) -> list[tuple[str, str]]:
    """The blocks spread over ``count`` files (a multi-file schema)."""
    files: list[list[str]] = [[] for _ in range(count)]
    for block in blocks_of(text):
        files[rng.randrange(count)].append(block)
    return [(f"part{i}.prisma", "\n\n".join(b) + "\n") for i, b in enumerate(files) if b]


REWRITES = {
    "comments": add_comments,
    "whitespace": respace,
    "bare values": bare_single_values,
    "block order": shuffle_blocks,
    "attribute order": shuffle_attributes,
}
