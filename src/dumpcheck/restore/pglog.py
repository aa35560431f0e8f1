"""Parse ``pg_restore --verbose`` stderr into one record per ``pg_restore: error:`` message.

What pg_restore prints (src/bin/pg_dump/pg_backup_archiver.c, warn_or_exit_horribly and
pg_backup_db.c, die_on_query_failure / ExecuteSqlCommand)::

    pg_restore: from TOC entry 220; 1259 36564 TABLE users appowner
    pg_restore: error: could not execute query: ERROR:  type "public.dctext" does not exist
    LINE 3:     email public.dctext
                      ^
    Command was: CREATE TABLE public.users (...);

    pg_restore: error: COPY failed for table "nn": ERROR:  null value in column "note" ...
    DETAIL:  Failing row contains (2, null).
    CONTEXT:  COPY nn, line 2: "2	\\N"

The ``from TOC entry`` line is printed only with --verbose, and only for the first error of an
entry (AH->lastErrorTE): later errors of the same entry (e.g. its OWNER TO) come without it.
The closing "errors ignored on restore: N" is not used: under -j every worker keeps its own
count, so it disagrees with the printed errors (measured: 13 reported, 9 printed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PREFIX = "pg_restore: "
_TOC_LINE = re.compile(
    r"^pg_restore: from TOC entry (?P<id>\d+); (?P<tableoid>\d+) (?P<oid>\d+) (?P<rest>.*)$"
)
_ERROR_LINE = re.compile(r"^pg_restore: error: (?P<text>.*)$")
_QUERY_FAILED = re.compile(r"^could not execute query: (?:ERROR|FATAL|PANIC):\s+(?P<msg>.*)$")
_COPY_FAILED = re.compile(
    r'^COPY failed for table "(?P<table>(?:[^"]|"")*)": (?:ERROR|FATAL|PANIC):\s+(?P<msg>.*)$'
)
_ITEM_START = re.compile(r"^pg_restore: (?:processing|launching) item (?P<id>\d+) ")
_ITEM_DONE = re.compile(r"^pg_restore: finished item (?P<id>\d+) ")
_FIELD = re.compile(r"^(?P<name>DETAIL|HINT|CONTEXT|QUERY|LINE \d+):\s*(?P<value>.*)$")


@dataclass
class LogError:
    """One error pg_restore printed, with the TOC entry it named (None when it named none)."""

    seq: int
    message: str  # the server's primary message, or pg_restore's own text
    toc_id: int | None = None
    toc_header: bool = False  # a "from TOC entry" line came right before it
    server_error: bool = False  # the server answered ERROR (vs. a pg_restore/libpq failure)
    detail: str | None = None
    hint: str | None = None
    context: str | None = None
    command: str | None = None
    copy_table: str | None = None  # the bare table name of "COPY failed for table"
    extra_lines: list[str] = field(default_factory=list)
    in_flight: tuple[int, ...] = ()  # items started and not finished when it was printed


@dataclass
class RestoreLog:
    """The errors of one pg_restore run, and which TOC items it started and finished."""

    errors: list[LogError]
    started: list[int]  # in order of "processing item N" / "launching item N"
    finished: set[int]  # "finished item N" (parallel) or a later item started (serial)


# Under -j, pg_restore's worker processes share stderr and each message is written in pieces
# (progname, level, text: src/common/logging.c pg_log_generic_v), so pieces of two messages can
# interleave in every way seen in tests/restore/logs: "pg_restore:pg_restore: error: ...",
# "pg_restore: error: pg_restore:could not ...", " pg_restore:disabling triggers for t", a line
# " error: could not ..." or "error: ..." whose prefix ended another line, a level whose text
# comes lines later ("pg_restore: error: pg_restore: while PROCESSING TOC:" ... then a bare
# "could not execute query: ..."), and a progress message with no prefix at all.
#
# So each line is taken apart: its "pg_restore:" pieces are dropped, and what is left is read
# as a level, a progress message, the text of a waiting level, or (otherwise) a line that
# continues a message (Command was:, DETAIL:, the lines of a multi-line command).
_PROGNAME = re.compile(r"\s*pg_restore:\s*")
_LEVEL = re.compile(r"^(?P<level>error|warning|detail|hint):\s*")
# A --verbose progress message (pg_backup_archiver.c, pg_backup_db.c, parallel.c).
_PROGRESS = re.compile(
    r"^(?:processing data for table |processing item \d|launching item \d|finished item \d"
    r"|(?:enabling|disabling) triggers for |creating [A-Z]|executing [A-Z]|while [A-Z ]+:$"
    r"|from TOC entry \d+; |connecting to database|entering main parallel loop"
    r"|finished main parallel loop|entering restore_toc_entries|implied data-only restore)"
)
# The text of an error, never SQL of a failed command.
_ERROR_TEXT = re.compile(
    r"^(?:could not execute query: (?:ERROR|FATAL|PANIC): |COPY failed for table )"
)


def repair_interleaved(text: str) -> str:
    """Undo the line-level damage of concurrent pg_restore workers writing to one stderr."""
    lines: list[str] = []
    waiting: list[str] = []  # levels printed without their text, oldest first
    for raw in text.splitlines():
        has_progname = "pg_restore:" in raw
        core = _PROGNAME.sub(" ", raw).strip() if has_progname else raw.strip()
        level: str | None = None
        while (m := _LEVEL.match(core)) is not None:
            if level is not None:
                waiting.append(level)  # "error: error: x": the first one's text is elsewhere
            level, core = m["level"], core[m.end() :]
        if level is not None and (not core or _PROGRESS.match(core)):
            waiting.append(level)  # its text comes later; the rest of this line is another's
            level = None
        if level is not None:
            lines.append(f"pg_restore: {level}: {core}")
        elif _PROGRESS.match(core):
            lines.append(f"pg_restore: {core}")
        elif _ERROR_TEXT.match(core):
            lines.append(f"pg_restore: {waiting.pop(0) if waiting else 'error'}: {core}")
        elif not core:
            if not has_progname:
                lines.append(raw)  # a blank line ends a failed command's text; a lone prefix goes
        elif _PROGNAME.match(raw):
            lines.append(f"pg_restore: {core}")  # a message of a kind not listed above
        elif has_progname:
            # A line of a failed command (or DETAIL) with a stray prefix of another worker.
            lines.append(_PROGNAME.sub(" ", raw).rstrip())
        else:
            lines.append(raw)
    return "\n".join(lines)


def parse_restore_log(text: str) -> RestoreLog:
    """Every ``pg_restore: error:`` of a --verbose log, in order, with its fields."""
    text = repair_interleaved(text)
    errors: list[LogError] = []
    started: list[int] = []
    finished: set[int] = set()
    active: dict[int, None] = {}  # insertion-ordered set of items in progress
    serial = True  # before "entering main parallel loop", one item runs at a time
    pending_toc: int | None = None
    current: LogError | None = None
    in_command = False
    for line in text.splitlines():
        if line.startswith(_PREFIX):
            in_command = False
            current = None
            m = _TOC_LINE.match(line)
            if m:
                pending_toc = int(m["id"])
                continue
            m = _ERROR_LINE.match(line)
            if m:
                current = _start_error(len(errors) + 1, m["text"], pending_toc)
                current.in_flight = tuple(active)
                errors.append(current)
                pending_toc = None
                continue
            m = _ITEM_START.match(line)
            if m:
                item = int(m["id"])
                if serial:
                    finished.update(active)
                    active.clear()
                started.append(item)
                active[item] = None
                if line.startswith("pg_restore: launching"):
                    serial = False
                continue
            m = _ITEM_DONE.match(line)
            if m:
                finished.add(int(m["id"]))
                active.pop(int(m["id"]), None)
                continue
            if line.startswith("pg_restore: entering main parallel loop"):
                serial = False
                finished.update(active)
                active.clear()
            continue
        if current is None:
            continue
        if in_command:
            current.command = f"{current.command}\n{line}"
            continue
        if line.startswith("Command was: "):
            current.command = line[len("Command was: ") :]
            in_command = True
            continue
        f = _FIELD.match(line)
        if f:
            name, value = f["name"], f["value"]
            if name == "DETAIL":
                current.detail = value
            elif name == "HINT":
                current.hint = value
            elif name == "CONTEXT":
                current.context = value
            continue
        if line.strip():
            current.extra_lines.append(line)
    for err in errors:
        if err.command is not None:
            err.command = err.command.rstrip()
    if serial and not any(is_fatal_tool_error(e) for e in errors):
        finished.update(active)  # a serial run that ended normally finished its last item
    return RestoreLog(errors, started, finished)


# pg_restore's own fatal errors (pg_fatal in pg_backup_custom.c / pg_backup_archiver.c /
# parallel.c): after one of them it stops, and what it had not restored yet is lost.
_FATAL_TOOL = re.compile(
    r"could not read from input file|could not find block ID|a worker process died|"
    r"could not uncompress data|unexpected end of file|could not read input file|"
    r"corrupt|could not decompress|worker process failed"
)


def is_fatal_tool_error(err: LogError) -> bool:
    """True for an error after which pg_restore gives up (truncated or corrupt archive)."""
    return not err.server_error and bool(_FATAL_TOOL.search(err.message))


def _start_error(seq: int, text: str, toc_id: int | None) -> LogError:
    m = _COPY_FAILED.match(text)
    if m:
        return LogError(
            seq,
            m["msg"],
            toc_id,
            toc_header=toc_id is not None,
            server_error=True,
            copy_table=m["table"].replace('""', '"'),
        )
    m = _QUERY_FAILED.match(text)
    if m:
        return LogError(seq, m["msg"], toc_id, toc_header=toc_id is not None, server_error=True)
    return LogError(seq, text, toc_id, toc_header=toc_id is not None)


# SQLSTATEs of well-known server messages (src/backend/utils/errcodes.txt and the ereport calls
# that print them). pg_restore prints only the message, never the SQLSTATE, so for archives the
# code is inferred from the text; an unknown message keeps sqlstate None.
_SQLSTATE_BY_MESSAGE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), code)
    for p, code in (
        (r"^role \".*\" does not exist", "42704"),
        (r"^(relation|table) \".*\" does not exist", "42P01"),
        (r"^schema \".*\" does not exist", "3F000"),
        (r"^(type|extension|constraint|index|sequence) \".*\" does not exist", "42704"),
        (r"^function .* does not exist", "42883"),
        (r"^(relation|table|index|sequence|view) \".*\" already exists", "42P07"),
        (r"^schema \".*\" already exists", "42P06"),
        (r"\" already exists", "42710"),
        (r"^extension \".*\" is not available", "0A000"),
        (r"^could not open extension control file", "58P01"),
        (r"^could not (access|load) (file|library)", "58P01"),
        (r"^could not create unique index", "23505"),
        (r"^duplicate key value violates unique constraint", "23505"),
        (r"violates foreign key constraint", "23503"),
        (r"violates not-null constraint", "23502"),
        (r"violates check constraint", "23514"),
        (r"^there is no unique constraint matching given keys", "42830"),
        (r"^unrecognized configuration parameter", "42704"),
        (r"^invalid input syntax", "22P02"),
        (r"^invalid input value for enum", "22P02"),
        (r"^(extra data after last expected column|missing data for column)", "22P04"),
        (r"^(unterminated CSV quoted field|end-of-copy marker)", "22P04"),
        (r"^invalid byte sequence for encoding", "22021"),
        (r"^(value too long for type|.* out of range)", "22001"),
        (r"^(permission denied|must be owner of|must be superuser)", "42501"),
        (r"^unacceptable schema name", "42939"),
        (r"could not extend file|No space left on device", "53100"),
        (r"^out of memory", "53200"),
        (r"^syntax error", "42601"),
    )
)


def infer_sqlstate(message: str) -> str | None:
    """The SQLSTATE PostgreSQL uses for a well-known error message, or None."""
    for pattern, code in _SQLSTATE_BY_MESSAGE:
        if pattern.search(message):
            return code
    return None
