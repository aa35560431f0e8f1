"""Options shared by the commands that run the pipeline (verify, explain)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from dumpcheck.cli.dumparg import DUMP
from dumpcheck.errors import BadInputError

if TYPE_CHECKING:
    from dumpcheck.scratch.model import Backend
    from dumpcheck.verify import VerifyOptions

# --quick without --sample: enough rows to meet most bad values, few enough that the time
# grows with the number of tables, not with their size.
DEFAULT_SAMPLE = 1000

DATABASE_HELP = (
    "The database to verify in a pg_dumpall file (default: its only user database); for a "
    "pg_dump dump, its own database."
)


def verify_options(
    *,
    dump_option: bool = False,
    dump_required: bool = True,
    prisma_required: bool = True,
    database_option: bool = True,
) -> Callable[[Callable[..., Any]], Any]:
    """Add DUMP (or --dump), --prisma, --database NAME and the scratch options; pass
    VerifyOptions as _options (``database_option=False``: the command sets ``database``)."""
    dump_param = (
        click.option(
            "--dump",
            type=DUMP,
            default=Path(),
            help="The dump to verify (a path, or s3://BUCKET/KEY, s3://BUCKET/PREFIX/).",
        )
        if dump_option
        else click.argument("dump", type=DUMP, required=dump_required)
    )
    database_param = (
        click.option("--database", "dump_database", metavar="NAME", help=DATABASE_HELP)
        if database_option
        else _no_option
    )
    return functools.partial(_decorate, dump_param, database_param, prisma_required)


def _no_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return func


def _decorate(
    dump_param: Callable[[Callable[..., Any]], Any],
    database_param: Callable[[Callable[..., Any]], Any],
    prisma_required: bool,
    func: Callable[..., Any],
) -> Callable[..., Any]:
    @dump_param
    @database_param
    @click.option(
        "--prisma",
        required=prisma_required,
        type=click.Path(path_type=Path, readable=False),
        help="schema.prisma, or a folder of .prisma files.",
    )
    @click.option(
        "--migrations", type=click.Path(path_type=Path, readable=False), help="Default: beside it."
    )
    @click.option(
        "--schema",
        "default_schema",
        help=(
            "The schema Prisma connects to (default: ?schema= of the datasource URL, from "
            "prisma.config.ts or the schema, its variable or .env; else public)."
        ),
    )
    @click.option(
        "--pg-version",
        type=click.IntRange(min=1),
        help="Scratch server major (default: from the dump).",
    )
    @click.option(
        "--scratch",
        type=click.Choice(["local", "dsn", "docker"]),
        default=None,
        help="Where to restore: an embedded local server (default), --scratch-dsn, or Docker.",
    )
    @click.option(
        "--scratch-dsn",
        help="Use this existing server; dumpcheck only ever "
        "creates and drops its own dumpcheck_<random> database there.",
    )
    @click.option("--keep-scratch", is_flag=True, help="Leave the restored server running.")
    @click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        help="Restore jobs: pg_restore -j for an archive, sessions for a plain dump "
        "(default: min(cores, 4)).",
    )
    @click.option("--no-owner", is_flag=True, help="Pass --no-owner to pg_restore.")
    @click.option(
        "--strict",
        is_flag=True,
        help="Fail on everything: tables not in the Prisma schema, and differences Prisma's "
        "own differ treats as no change (notes).",
    )
    @click.option(
        "--expect-check",
        is_flag=True,
        help="Also ask the project's own Prisma (node_modules/.bin/prisma) for its DDL and "
        "report any object where it disagrees with dumpcheck's expectation.",
    )
    @click.option(
        "--no-fingerprints",
        is_flag=True,
        help="Compare row counts only: do not hash every row of the dump and of the restored "
        "tables (rows_changed is then never found).",
    )
    @click.option(
        "--quick",
        is_flag=True,
        help="Restore the whole schema but load only the first rows of each table (--sample); "
        "the inventory still counts every row. Tables with more rows are marked sampled.",
    )
    @click.option(
        "--sample",
        type=int,
        metavar="N",
        help=f"With --quick: the rows to load per table (default {DEFAULT_SAMPLE:,}).",
    )
    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        # Imported when the command runs: `dumpcheck verify --help` needs no pipeline (issue 15).
        from dumpcheck.verify import VerifyOptions

        backend: Backend = kwargs.pop("scratch") or ("dsn" if kwargs["scratch_dsn"] else "local")
        kwargs["_options"] = VerifyOptions(
            **_dump_fields(kwargs.pop("dump")),
            prisma=kwargs.pop("prisma"),
            migrations=kwargs.pop("migrations"),
            default_schema=kwargs.pop("default_schema"),
            backend=backend,
            scratch_dsn=kwargs.pop("scratch_dsn"),
            pg_version=kwargs.pop("pg_version"),
            keep_scratch=kwargs.pop("keep_scratch"),
            jobs=kwargs.pop("jobs"),
            no_owner=kwargs.pop("no_owner"),
            strict=kwargs.pop("strict"),
            expect_check=kwargs.pop("expect_check"),
            fingerprints=not kwargs.pop("no_fingerprints"),
            database=kwargs.pop("dump_database", None),
            sample=_sample(kwargs.pop("quick"), kwargs.pop("sample")),
        )
        return func(**kwargs)

    return cast("Callable[..., Any]", wrapper)


def _sample(quick: bool, sample: int | None) -> int | None:
    """The rows per table a quick verify loads; None for a full verify."""
    if sample is not None and not quick:
        raise BadInputError(f"--sample {sample} needs --quick (a full verify loads every row)")
    if sample is not None and sample < 1:
        raise BadInputError(f"--sample must be at least 1 row, not {sample}")
    return (sample or DEFAULT_SAMPLE) if quick else None


def refuse_quick(options: VerifyOptions, command: str) -> None:
    """``refresh`` and the nightly ``--promote-to`` promote the database they verified: never
    one loaded with a sample of each table."""
    if options.sample is not None:
        raise BadInputError(
            f"{command} does not take --quick: a quick verify loads only the first rows of each "
            "table, and a sampled database must never be promoted"
        )


def _dump_fields(dump: Path | str | None) -> dict[str, Any]:
    if isinstance(dump, str):  # s3://: fetched by verify() itself
        return {"dump": Path(), "dump_url": dump}
    return {"dump": dump}


def split_databases(values: tuple[str, ...]) -> tuple[str | None, str | None]:
    """``--database`` given once or twice: (the live database's connection string, the name
    of a database inside the dump).

    A value is a connection string when libpq would read it as one (fe-connect.c
    recognized_connection_string: a postgres:// or postgresql:// URI, or key=value with an
    '='), and a database name otherwise.
    """
    urls = [v for v in values if v.startswith(("postgresql://", "postgres://")) or "=" in v]
    names = [v for v in values if v not in urls]
    if len(urls) > 1 or len(names) > 1:
        raise BadInputError(
            "--database takes one connection string (the live database) and one database "
            f"name (in a pg_dumpall dump) at most; got {len(urls)} and {len(names)}"
        )
    return (urls[0] if urls else None), (names[0] if names else None)


def write_output(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` (atomically, so a full disk loses nothing)."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
