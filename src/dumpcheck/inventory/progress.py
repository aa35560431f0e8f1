"""A progress bar on stderr (bytes read of the file on disk, or of the object) for large dumps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dumpcheck.inventory.remote import RemoteDump
from dumpcheck.inventory.source import DumpSource


def dump_size(path: DumpSource) -> int:
    """Bytes of the dump on disk or in the store (a directory dump: its files); 0 when
    unreadable."""
    if isinstance(path, RemoteDump):
        return path.size
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
        return path.stat().st_size
    except OSError:
        return 0


@contextmanager
def progress_bar(
    path: DumpSource, *, enabled: bool, min_bytes: int
) -> Iterator[Callable[[int], None] | None]:
    """Yield a callback taking bytes read so far, or None when no bar is wanted."""
    total = dump_size(path)
    if not enabled or total < min_bytes:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(f"reading {path.name}", total=total)

        def tick(done: int) -> None:
            bar.update(task, completed=done)

        yield tick
