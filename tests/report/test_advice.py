"""Next steps name objects so that the commands they show work as pasted."""

from __future__ import annotations

from dumpcheck.compare.findings import DumpSummary, Findings, TableFinding
from dumpcheck.report.advice import next_steps


def test_psql_check_quotes_mixed_case_names_and_the_database() -> None:
    table = TableFinding("public", "Thing", "Thing", "never_in_dump", False, False, None, None)
    dump = DumpSummary("x.dump", "custom", "gzip", "18.1", "18.1", "my db", True, "full")
    findings = Findings(dump=dump, scratch=None, tables=(table,), dump_findings=())
    steps = next_steps(findings, table)
    # psql folds an unquoted \d pattern to lower case, so `\d public.Thing` would find nothing.
    assert (
        steps[0] == "Check whether production has it: `psql -d 'my db' -c '\\d public.\"Thing\"'`."
    )


def test_expect_command_is_shell_quoted() -> None:
    table = TableFinding("public", "Odd Name", "Odd", "never_in_dump", False, False, None, None)
    dump = DumpSummary("x.dump", "custom", "gzip", "18.1", "18.1", "db", True, "full")
    findings = Findings(dump=dump, scratch=None, tables=(table,), dump_findings=(), prisma="a b/s")
    assert (
        "`dumpcheck expect 'a b/s' --format sql --table 'Odd Name'`"
        in next_steps(findings, table)[2]
    )
