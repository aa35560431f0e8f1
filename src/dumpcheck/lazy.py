"""Names a package exports but imports on first use (PEP 562 module ``__getattr__``).

A package's ``__init__`` that imports all its modules makes every user pay for all of them at
start-up; ``dumpcheck inventory`` of an archive would load the plain-script reader it never
runs (issue 15). The package lists each name with the module that defines it, keeps the real
imports under ``if TYPE_CHECKING:`` for mypy, and sets
``__getattr__ = exports(globals(), home)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def homes(**modules: tuple[str, ...]) -> dict[str, str]:
    """``{name: module}`` from ``module=(name, ...)`` keyword arguments."""
    return {name: module for module, names in modules.items() for name in names}


def exports(namespace: dict[str, Any], home: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``<package>.<home[name]>`` when ``name`` is asked
    for, and keeps the value in the package's ``namespace`` so the next lookup is a plain one."""
    package = namespace["__name__"]

    def attribute(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return attribute
