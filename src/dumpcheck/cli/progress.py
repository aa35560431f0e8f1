"""A stage-by-stage progress display on stderr, shown only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Below this, a stage is over before a bar could help.
MIN_TOTAL_BYTES = 50 * 1024 * 1024


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield verify's ``progress(what, done, total)`` callback, or None off a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(what: str, done: int, total: int) -> None:
            if what not in tasks:
                if what == "reading" and total < MIN_TOTAL_BYTES:
                    return
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield update
