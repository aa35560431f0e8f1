"""Find and read a Prisma schema: one file, a folder of files, or prisma.config.ts's `schema:`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from dumpcheck.errors import BadInputError
from dumpcheck.expect.psl.ast import Call, SchemaAst, Str
from dumpcheck.expect.psl.grammar import parse_file

_SKIP_DIRS = frozenset({"node_modules", "migrations", ".git"})
# `schema: 'prisma/schema.prisma'` or `schema: path.join(__dirname, "prisma")`.
_CONFIG_SCHEMA = re.compile(
    r"""\bschema\s*:\s*(?:path\.(?:join|resolve)\(\s*__dirname\s*,\s*)?(['"`])([^'"`]+)\1"""
)
_CONFIG_MIGRATIONS = re.compile(
    r"""\bmigrations\s*:\s*\{[^}]*?\bpath\s*:\s*(?:path\.(?:join|resolve)\(\s*__dirname\s*,\s*)?"""
    r"""(['"`])([^'"`]+)\1"""
)

# Prisma 7 keeps the URL there: `datasource: { url: env("DATABASE_URL") }` (or
# process.env.NAME, process.env["NAME"], or the URL itself).
_CONFIG_URL = re.compile(
    r"""\bdatasource\s*:\s*\{[^}]*?\burl\s*:\s*(?:"""
    r"""env\s*(?:<[^>]*>)?\(\s*(['"`])(?P<env>\w+)\1\s*\)"""
    r"""|process\.env\.(?P<dot>\w+)"""
    r"""|process\.env\[\s*(['"`])(?P<index>\w+)\4\s*\]"""
    r"""|(['"`])(?P<url>[^'"`]+)\6)""",
    re.DOTALL,
)


@dataclass(frozen=True)
class SchemaSource:
    """The files of one schema, where its migrations should be, and its parse tree."""

    files: tuple[Path, ...]
    ast: SchemaAst
    migrations_dir: Path
    env_dirs: tuple[Path, ...]  # where a .env may sit
    # prisma.config.ts's datasource url: the environment variable it reads, or the URL itself.
    config_url_env: str | None = None
    config_url: str | None = None


def _config_match(folder: Path, pattern: re.Pattern[str]) -> re.Match[str] | None:
    # prisma.config.ts is TypeScript: its few settings are read by pattern, never run.
    config = folder / "prisma.config.ts"
    if not config.is_file():
        return None
    return pattern.search(config.read_text("utf-8", errors="replace"))


def _config_path(folder: Path, pattern: re.Pattern[str]) -> Path | None:
    match = _config_match(folder, pattern)
    return (folder / match.group(2)).resolve() if match else None


def schema_files(path: Path) -> tuple[tuple[Path, ...], Path]:
    """The .prisma files ``path`` stands for, and the folder they hang off."""
    if not path.exists():
        raise BadInputError(f"Prisma schema not found: {path}")
    if path.is_file():
        return (path,), path.parent
    configured = _config_path(path, _CONFIG_SCHEMA)
    if configured is not None and configured.exists():
        if configured.is_file():
            return (configured,), configured.parent
        path = configured
    files = sorted(
        p
        for p in path.rglob("*.prisma")
        if p.is_file() and not _SKIP_DIRS.intersection(p.relative_to(path).parts[:-1])
    )
    if not files:
        raise BadInputError(f"no .prisma files in {path}")
    return tuple(files), path


def load_schema(path: Path) -> SchemaSource:
    """Read and parse every file of the schema at ``path``."""
    files, root = schema_files(path)
    sources: dict[str, str] = {}
    blocks = []
    for file in files:
        try:
            text = file.read_text("utf-8")
        except UnicodeDecodeError as exc:
            raise BadInputError(f"{file}: not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise BadInputError(f"{file}: cannot read: {exc.strerror}") from None
        sources[str(file)] = text
        blocks.extend(parse_file(text, str(file)))
    migrations = root / "migrations"
    if path.is_dir():
        configured = _config_path(path, _CONFIG_MIGRATIONS)
        if configured is not None and configured.is_dir():
            migrations = configured
        elif (path / "migrations").is_dir():
            migrations = path / "migrations"
    env_dirs = tuple(dict.fromkeys((root, path if path.is_dir() else path.parent)))
    url_env, url = _config_url(path) if path.is_dir() else (None, None)
    return SchemaSource(
        files, SchemaAst(tuple(blocks), sources), migrations, env_dirs, url_env, url
    )


def _config_url(folder: Path) -> tuple[str | None, str | None]:
    match = _config_match(folder, _CONFIG_URL)
    if match is None:
        return None, None
    return match["env"] or match["dot"] or match["index"], match["url"]


def _url_env_name(ast: SchemaAst) -> str:
    for block in ast.blocks:
        prop = block.prop("url") if block.kind == "datasource" else None
        if prop is not None and isinstance(prop.value, Call) and prop.value.name == "env":
            arg = prop.value.args[0].value if prop.value.args else None
            if isinstance(arg, Str):
                return arg.value
    return "DATABASE_URL"


def _dotenv(folder: Path, name: str) -> str | None:
    env_file = folder / ".env"
    if not env_file.is_file():
        return None
    for line in env_file.read_text("utf-8", errors="replace").splitlines():
        m = re.match(rf"\s*(?:export\s+)?{re.escape(name)}\s*=\s*(.*)$", line)
        if m:
            return m.group(1).strip().strip("'\"")
    return None


def default_schema(source: SchemaSource) -> str:
    """``?schema=`` of the datasource URL (prisma.config.ts's, else the schema's; from the
    environment, then a .env beside it), else public."""
    url = source.config_url
    if url is None:
        name = source.config_url_env or _url_env_name(source.ast)
        url = os.environ.get(name)
        for folder in source.env_dirs:
            if url:
                break
            url = _dotenv(folder, name)
    if url:
        schema = parse_qs(urlsplit(url).query).get("schema")
        if schema and schema[0]:
            return schema[0]
    return "public"
