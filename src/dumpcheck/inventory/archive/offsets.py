"""Whether a custom archive can be restored in parallel: pg_restore -j needs every data block's
offset in the TOC, which pg_dump can write only when its output was seekable (a file, not a pipe;
pg_backup_custom.c _ArchiveEntry/_CloseArchive)."""

from __future__ import annotations

from pathlib import Path

from dumpcheck.errors import DumpcheckError
from dumpcheck.inventory.archive._binary import OFFSET_SET, ByteReader, read_header, read_toc


def custom_has_offsets(path: Path) -> bool:
    """True when a custom archive's TOC records where each data block starts."""
    try:
        with path.open("rb") as stream:
            reader = ByteReader(stream)
            header = read_header(reader, str(path))
            toc = read_toc(reader, header, str(path))
    except (OSError, DumpcheckError):
        return False
    data = [e for e in toc.entries if e.entry.had_data]
    return bool(data) and all(e.offset_flag == OFFSET_SET for e in data)
