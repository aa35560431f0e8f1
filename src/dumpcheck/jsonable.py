"""Turn the frozen dataclasses of any stage into plain JSON values, deterministically."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dumpcheck.catalog import QualifiedName


def to_jsonable(value: Any) -> Any:
    """Dataclasses become objects, tuples and sets lists (sets sorted), keys strings."""
    if isinstance(value, QualifiedName):
        return f"{value.schema}.{value.name}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(value: Any) -> str:
    """Indented JSON with a trailing newline."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n"
