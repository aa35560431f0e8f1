"""The shape of the code, checked: no import cycle, no stage reaching into another stage's
private modules, a CLI that imports nothing heavy until a command runs, modules of a size a
reader can hold, and an ARCHITECTURE.md that names every room there is."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from dumpcheck.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "dumpcheck"
STAGES = (
    "inventory",
    "expect",
    "restore",
    "compare",
    "report",
    "scratch",
    "live",
    "refresh",
    "cli",
)
# A stage's data types are public to the stages that read them; ``cli.options`` is the option
# set that both front ends share (the dumpcheck CLI and pipeline/nightly.py).
PUBLIC_MODULES = ("model", "findings", "options")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every dumpcheck module ``path`` imports (outside ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dumpcheck"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("dumpcheck"))
    return {m for m in found if m in MODULES}


def test_no_import_cycle() -> None:
    graph = {name: _imports(path) - {name} for name, path in MODULES.items()}
    cycles: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert cycles == []


def _private(module: str) -> bool:
    parts = module.split(".")
    if len(parts) <= 2 or parts[1] not in STAGES:
        return False
    if any(p.startswith("_") for p in parts[2:]):
        return True
    is_package = SRC.joinpath(*parts).is_dir()
    return not is_package and parts[-1] not in PUBLIC_MODULES


def test_no_stage_imports_another_stages_private_module() -> None:
    offenders = []
    sources = [*MODULES.items(), *((p.stem, p) for p in (ROOT / "pipeline").glob("*.py"))]
    for name, path in sources:
        owner = name.split(".")[1] if name.startswith("dumpcheck.") and "." in name else None
        for imported in _imports(path):
            stage = imported.split(".")[1] if "." in imported else None
            if stage != owner and _private(imported):
                offenders.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert offenders == []


_STAGES = (
    "dumpcheck.inventory",
    "dumpcheck.expect",
    "dumpcheck.restore",
    "dumpcheck.compare",
    "dumpcheck.report",
    "dumpcheck.scratch",
    "dumpcheck.live",
    "dumpcheck.refresh",
    "dumpcheck.verify",
    "dumpcheck.inspection",
)


def _heavy_after(*argvs: list[str]) -> str:
    """The heavy modules (a stage, psycopg, sqlglot, rich, numpy) a fresh interpreter holds
    after running the CLI with each of ``argvs``, printed as a list."""
    calls = "".join(f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n" for argv in argvs)
    code = (
        "import sys\n"
        "from dumpcheck.cli import main\n"
        f"{calls}"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('psycopg', 'sqlglot', 'rich', "
        f"'numpy') or m.startswith({_STAGES!r})]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_the_cli_imports_no_stage_until_a_command_runs() -> None:
    assert _heavy_after(["--version"], ["--help"]) == "[]"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_commands_help_imports_no_stage(name: str) -> None:
    """`dumpcheck verify --help` (and every other command's) starts as fast as `--help`: a
    command imports its stage when it runs, not to describe its options (issue 15)."""
    assert _heavy_after([name, "--help"]) == "[]"


def test_modules_stay_readable() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in [*PACKAGE.rglob("*.py"), *(ROOT / "pipeline").glob("*.py")]
        if (n := len(p.read_text("utf-8").splitlines())) > 420
    }
    assert long == {}


def test_every_sub_package_says_what_it_is_for() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        assert doc, f"{init.relative_to(ROOT)} has no docstring saying its one job"


def test_architecture_note_names_every_room() -> None:
    note = (ROOT / "ARCHITECTURE.md").read_text("utf-8")
    rooms = sorted(
        str(p.parent.relative_to(SRC)).replace("\\\\", "/")
        for p in PACKAGE.rglob("__init__.py")
        if p.parent != PACKAGE
    )
    missing = [room for room in rooms if room.removeprefix("dumpcheck/") not in note]
    assert missing == []


def test_inventory_imports_no_pipeline_stage() -> None:
    """`dumpcheck inventory` reads a dump without a database or a Prisma schema: it must not
    pay for verify, compare, expect, restore or psycopg at start-up."""
    code = (
        "import sys\n"
        "import dumpcheck.cli.inventory_cmd\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('psycopg', 's3fs') or "
        "m.startswith(('dumpcheck.verify', 'dumpcheck.compare', 'dumpcheck.expect', "
        "'dumpcheck.restore', 'dumpcheck.scratch', 'dumpcheck.inventory'))]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_archive_inventory_loads_no_plain_script_reader() -> None:
    """Reading an archive needs the plain splitter (TOC definitions are SQL text) but not the
    plain-dump reader, its pg_dumpall router or its database scan: the package's lazy exports
    (dumpcheck.lazy) keep them out of an archive's start-up."""
    code = (
        "import sys\n"
        "import dumpcheck.inventory.api, dumpcheck.inventory.archive.reader\n"
        "from dumpcheck.inventory import inventory, to_json\n"
        "print([m for m in sys.modules if m in ('dumpcheck.inventory.plain.reader', "
        "'dumpcheck.inventory.plain.cluster', 'dumpcheck.inventory.plain.database')])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_lazy_exports_resolve() -> None:
    """Every name a lazily exporting package lists in __all__ resolves, and only those do."""
    import importlib

    import pytest

    for package in ("dumpcheck.inventory", "dumpcheck.inventory.plain"):
        module = importlib.import_module(package)
        assert sorted(module.__all__) == sorted(module._HOME)
        for name in module.__all__:
            assert getattr(module, name) is not None
        with pytest.raises(AttributeError):
            _ = module.no_such_name
