"""The inventory's text table, drawn as rich draws it, without importing rich when it can.

Importing rich costs about 25 ms, a tenth of an archive inventory's whole run (issue 15:
archive inventory at pg_restore's speed). Plain ASCII cells that fit the width are drawn here,
in rich's ``HEAVY_HEAD`` box with one space of padding, a right- or left-justified column, and
the title centred above (``tests/inventory/test_texttable.py`` pins the output to rich's own).
Anything else (non-ASCII cells, whose width rich measures by the terminal's rules; a title or
a line wider than the console, which rich wraps) goes to rich, which is the reference.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

Justify = Literal["left", "right"]


def _plain(text: str, width: int) -> bool:
    """Printable ASCII that fits, with no space at either end (rich moves those when it
    justifies): the only text drawn without rich."""
    return len(text) <= width and text.strip(" ") == text and all(" " <= ch <= "~" for ch in text)


def render_table(
    title: str,
    columns: Sequence[tuple[str, Justify]],
    rows: Sequence[Sequence[str]],
    lines: Sequence[str] = (),
    *,
    width: int = 120,
) -> str:
    """``title`` above a table of ``columns`` (heading, justify) and ``rows``, then ``lines``."""
    widths = [len(heading) for heading, _ in columns]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    total = sum(widths) + 3 * len(widths) + 1
    texts = [*(h for h, _ in columns), *(c for row in rows for c in row), *lines]
    # rich wraps a title wider than the table, and a line wider than the console.
    if total > width or not _plain(title, total) or not all(_plain(t, width) for t in texts):
        return _with_rich(title, columns, rows, lines, width)
    bars = ["━" * (w + 2) for w in widths]

    def row_line(cells: Sequence[str], edge: str) -> str:
        padded = (
            cell.rjust(w) if justify == "right" else cell.ljust(w)
            for cell, w, (_, justify) in zip(cells, widths, columns, strict=True)
        )
        return edge + edge.join(f" {cell} " for cell in padded) + edge

    left = (total - len(title)) // 2
    out = [" " * left + title + " " * (total - len(title) - left)] if title else []
    out += ["┏" + "┳".join(bars) + "┓", row_line([h for h, _ in columns], "┃")]
    out.append("┡" + "╇".join(bars) + "┩")
    out += [row_line(row, "│") for row in rows]
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    return "\n".join([*out, *lines]) + "\n"


def _with_rich(
    title: str,
    columns: Sequence[tuple[str, Justify]],
    rows: Sequence[Sequence[str]],
    lines: Sequence[str],
    width: int,
) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    # Cells are names from the dump, never markup: `[x]` in a table name stays as written.
    grid = Table(title=escape(title) if title else None, show_lines=False)
    for heading, justify in columns:
        grid.add_column(heading, justify=justify)
    for row in rows:
        grid.add_row(*(escape(cell) for cell in row))
    console.print(grid)
    for line in lines:
        console.print(line, markup=False)
    return out.getvalue()
