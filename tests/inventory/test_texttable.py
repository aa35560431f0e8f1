"""The inventory's table drawn without rich is the table rich draws (rich is the reference)."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest

from dumpcheck.inventory import texttable
from dumpcheck.inventory.texttable import Justify, _with_rich, render_table

_JUSTIFY: tuple[Justify, ...] = ("left", "right")


def _word(rnd: random.Random, longest: int) -> str:
    letters = string.ascii_letters + string.digits + " ,._-()"
    return "".join(rnd.choice(letters) for _ in range(rnd.randint(0, longest))).strip()


def test_drawn_as_rich_draws_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """300 random tables: drawn here or by rich, the text is rich's; most are drawn here."""
    by_rich = []

    def spy(*args: Any) -> str:
        by_rich.append(args)
        return _with_rich(*args)

    monkeypatch.setattr(texttable, "_with_rich", spy)
    for seed in range(300):
        rnd = random.Random(seed)
        columns = [(_word(rnd, 8) or "h", rnd.choice(_JUSTIFY)) for _ in range(rnd.randint(1, 6))]
        rows = [[_word(rnd, 14) for _ in columns] for _ in range(rnd.randint(0, 5))]
        lines = [_word(rnd, 90) for _ in range(rnd.randint(0, 4))]
        title = _word(rnd, 40) or "t"
        width = rnd.choice((40, 80, 120))
        drawn = render_table(title, columns, rows, lines, width=width)
        assert drawn == _with_rich(title, columns, rows, lines, width), seed
    assert len(by_rich) < 150  # the other path is taken, and so compared, too


def test_names_are_never_markup() -> None:
    """A table called ``[bold]x`` is printed as it is called (rich would read markup)."""
    text = render_table("dump [red]", [("table", "left")], [["[bold]x"], ["b[/]"]])
    assert "[bold]x" in text and "b[/]" in text and "dump [red]" in text
    wide = render_table("t", [("table", "left")], [["é[bold]"]])  # non-ASCII: drawn by rich
    assert "é[bold]" in wide


def test_the_inventory_table_needs_no_rich() -> None:
    """An ASCII inventory is drawn without importing rich (start-up: issue 15)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from dumpcheck.inventory.texttable import render_table\n"
        "render_table('t', [('a', 'left')], [['x']], ['format: plain'])\n"
        "sys.exit('rich' in sys.modules)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
