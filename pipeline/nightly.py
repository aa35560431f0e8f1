"""The nightly job: verify the newest dump, keep per-stage artifacts, history and metrics.

    python -m pipeline.nightly --dump /backups/latest.dump --prisma prisma/ --runs-dir runs
    python -m pipeline.nightly --dump-command 'ls -t /backups/*.dump | head -1' --prisma ...

Exit code: verify's (0 ok, 1 findings, 2 bad input, 3 environment). ``make verify-dump`` runs
this same code.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from dumpcheck.cli import EXIT_CODES_HELP, run_command
from dumpcheck.cli.options import refuse_quick, verify_options
from dumpcheck.errors import EXIT_ENVIRONMENT, BadInputError, DumpcheckError
from dumpcheck.refresh import RefreshOptions, RefreshOutcome, describe, parse_wait, refresh
from dumpcheck.scratch import SIGTERM_EXIT_CODE, sigterm_as_exit
from dumpcheck.verify import VerifyOptions, verify
from pipeline.artifacts import write_artifacts, write_error, write_page, write_refresh
from pipeline.history import (
    RunRecord,
    append_record,
    changes,
    last_record,
    read_records,
    row_counts,
    verdict_map,
)
from pipeline.metrics import previous_success, render_metrics, write_metrics
from pipeline.page import render_page


def newest_dump(command: str) -> Path | str:
    """Run the user's command; its last line of output names the dump (a path or s3:// URL)."""
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)  # noqa: S602
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        err = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise BadInputError(f"--dump-command {shlex.quote(command)} gave no dump path: {err[0]}")
    return lines[-1] if lines[-1].startswith("s3://") else Path(lines[-1])


def make_run_dir(runs: Path) -> Path:
    """``runs/<UTC timestamp>``, unique even for two runs in the same second."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 1000):
        candidate = runs / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            candidate.mkdir(parents=True)
            return candidate
        except FileExistsError:
            continue
    raise DumpcheckError(f"cannot create a run directory under {runs}")


def _check_metrics_path(metrics: Path | None) -> None:
    """A metrics file we could not write would fail the run after it is recorded as done."""
    if metrics is None:
        return
    folder = metrics.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BadInputError(f"--metrics {metrics}: its folder {folder} is missing or not writable")


def run_job(
    options: VerifyOptions,
    runs: Path,
    metrics: Path | None,
    quiet: bool,
    dump_command: str | None = None,
    promote: RefreshOptions | None = None,
) -> int:
    """One nightly run; returns the exit code. Every run leaves a history line, also one that
    ends in an error, a Ctrl-C, a SIGTERM (systemd's or cron's timeout) or a full disk.

    ``promote``: refresh the database it names (``--promote-to``) instead of verifying in a
    scratch server; the verified database is swapped in only when the gate passes."""
    with sigterm_as_exit():
        return _run_job(options, runs, metrics, quiet, dump_command, promote)


def _run_job(
    options: VerifyOptions,
    runs: Path,
    metrics: Path | None,
    quiet: bool,
    dump_command: str | None,
    promote: RefreshOptions | None,
) -> int:
    from dumpcheck.report import render

    _check_metrics_path(metrics)
    start = time.time()
    run_dir = make_run_dir(runs)
    history = runs / "history.jsonl"
    previous = last_record(history, with_verdicts=True)
    dump = options.dump_url or (
        str(options.dump) if options.dump != Path() else f"--dump-command {dump_command}"
    )

    asked = False if promote is not None else None

    def failed(code: int, message: str) -> None:
        # Best effort: on a full disk the history line may not fit either.
        record = RunRecord(
            _now(), dump, str(run_dir), code, round(time.time() - start, 3), {}, {}, message, asked
        )
        with contextlib.suppress(OSError):
            append_record(history, record)
        with contextlib.suppress(OSError):
            write_error(run_dir, code, message)
        with contextlib.suppress(OSError):
            _page(runs)
        with contextlib.suppress(OSError):
            _metrics(metrics, {}, code)

    try:
        # Inside the try: a failing --dump-command is a failed night, recorded like any other.
        if dump_command:
            newest = newest_dump(dump_command)
            if isinstance(newest, str):
                options = replace(options, dump=Path(), dump_url=newest)
            else:
                options = replace(options, dump=newest)
            dump = str(newest)
        refreshed = None
        if promote is not None:
            refreshed = refresh(replace(promote, verify=options))
            assert refreshed.verify is not None
            outcome = refreshed.verify
        else:
            outcome = verify(options)
        write_artifacts(run_dir, outcome)
        if refreshed is not None:
            write_refresh(run_dir, refresh_record(refreshed))
    except DumpcheckError as exc:
        failed(exc.exit_code, exc.one_line())
        raise
    except KeyboardInterrupt:
        failed(130, "interrupted (Ctrl-C)")
        raise
    except SystemExit as exc:
        if exc.code == SIGTERM_EXIT_CODE:
            failed(SIGTERM_EXIT_CODE, "terminated (SIGTERM)")
        raise
    except OSError as exc:
        failed(EXIT_ENVIRONMENT, f"{exc.strerror or exc}: {exc.filename or run_dir}")
        raise
    findings = outcome.findings
    code = refreshed.exit_code if refreshed is not None else findings.exit_code()
    verdicts = verdict_map(findings)
    record = RunRecord(
        _now(),
        dump,
        str(run_dir),
        code,
        round(time.time() - start, 3),
        findings.summary(),
        verdicts,
        promoted=refreshed.promoted if refreshed is not None else None,
        rows=row_counts(findings),
        sample=findings.sample,
    )
    append_record(history, record)
    _page(runs)
    _metrics(metrics, findings.summary(), code)
    color = sys.stdout.isatty()
    click.echo(render(findings, "text", color=color, quiet=quiet), nl=False)
    click.echo("\nsince the last run:")
    for line in changes(previous, verdicts):
        click.echo(f"  {line}")
    if refreshed is not None:
        for line in describe(refreshed):
            click.echo(line)
    click.echo(f"artifacts: {run_dir}/")
    return code


def refresh_record(outcome: RefreshOutcome) -> dict[str, object]:
    """refresh.json: names and the reason, never a URL (it may carry a password)."""
    return {
        "target": outcome.target,
        "promoted": outcome.promoted,
        "candidate": outcome.candidate,
        "previous": outcome.previous,
        "kept_failed": outcome.kept_failed,
        "dropped": list(outcome.dropped),
        "reason": outcome.reason,
        "exit_code": outcome.exit_code,
    }


def _page(runs: Path) -> None:
    """runs/index.html from the whole history, this run's line included."""
    write_page(runs / "index.html", render_page(read_records(runs / "history.jsonl")))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _metrics(path: Path | None, counts: dict[str, int], code: int) -> None:
    if path is None:
        return
    now = time.time()
    last = now if code == 0 else previous_success(path)
    write_metrics(path, render_metrics(counts, code, now, last))


@click.command(help="The nightly dump-refresh job.\n\n" + EXIT_CODES_HELP)
@verify_options(dump_option=True)
@click.option("--dump-command", help="Shell command whose last output line is the dump path.")
@click.option(
    "--runs-dir", type=click.Path(path_type=Path), default=Path("runs"), show_default=True
)
@click.option(
    "--metrics", type=click.Path(path_type=Path), help="Write Prometheus textfile metrics here."
)
@click.option(
    "--promote-to",
    metavar="URL",
    help="Refresh this database: verify the dump beside it and swap it in if the gate passes "
    "(dumpcheck refresh).",
)
@click.option("--allow", multiple=True, type=click.Choice(("unexpected", "drift")))
@click.option("--wait", default="60s", show_default=True, help="With --promote-to.")
@click.option("--terminate-connections", is_flag=True, help="With --promote-to.")
@click.option("--keep", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--quiet", "-q", is_flag=True)
def main(
    dump_command: str | None,
    runs_dir: Path,
    metrics: Path | None,
    quiet: bool,
    promote_to: str | None,
    allow: tuple[str, ...],
    wait: str,
    terminate_connections: bool,
    keep: int,
    **kwargs: object,
) -> int:
    """Entry point."""
    options = kwargs.pop("_options")
    assert isinstance(options, VerifyOptions)
    if not dump_command and options.dump == Path() and options.dump_url is None:  # no --dump
        raise BadInputError("give --dump PATH or --dump-command CMD")
    promote = None
    if promote_to:
        refuse_quick(options, "--promote-to")
        promote = RefreshOptions(
            target=promote_to,
            verify=None,
            allow=frozenset(allow),
            wait_s=parse_wait(wait),
            terminate=terminate_connections,
            keep=keep,
        )
    return run_job(options, runs_dir, metrics, quiet, dump_command, promote)


def entry(argv: list[str] | None = None) -> None:
    """Run the job with the dumpcheck CLI's exit-code mapping."""
    run_command(main, argv, "pipeline.nightly")


if __name__ == "__main__":
    entry()
