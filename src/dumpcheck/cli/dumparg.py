"""The DUMP argument every command takes: a path, or an ``s3://`` URL.

Its own module, light on purpose: ``inventory`` imports it without the pipeline's options (and
with them verify, compare and expect).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


class DumpLocation(click.ParamType):  # type: ignore[type-arg]
    """A dump path, or an ``s3://`` URL kept as text (a Path would fold its ``//``)."""

    name = "dump"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.startswith("s3://"):
            return value
        return Path(value)


DUMP = DumpLocation()
