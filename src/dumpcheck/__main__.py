"""``python -m dumpcheck``."""

from __future__ import annotations

from dumpcheck.cli import main

main()
