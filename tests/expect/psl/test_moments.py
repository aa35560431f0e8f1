"""DateTime defaults: read as chrono reads them, written as Prisma writes them, stored as
PostgreSQL stores them (checked against both by the engine cases; these need neither)."""

from __future__ import annotations

import pytest

from dumpcheck.expect.psl.moments import chrono_text, rfc3339
from dumpcheck.expect.rules.moments import stored_moment


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("2020-01-01T00:00:00Z", "2020-01-01 00:00:00 +00:00"),
        ("2020-01-01t10:00:00.5-03:30", "2020-01-01 10:00:00.500 -03:30"),
        ("2020-01-01 00:00:00.100000z", "2020-01-01 00:00:00.100 +00:00"),
        ("2020-01-01T00:00:00.1234Z", "2020-01-01 00:00:00.123400 +00:00"),
        ("2020-01-01T00:00:00.1234567899999Z", "2020-01-01 00:00:00.123456789 +00:00"),
        ("2020-01-01T00:00:00.000Z", "2020-01-01 00:00:00 +00:00"),
        ("1999-12-31T23:59:60Z", "1999-12-31 23:59:60 +00:00"),
        ("0000-02-29T00:00:00-00:30", "0000-02-29 00:00:00 -00:30"),
    ],
)
def test_chrono_reads_and_prisma_writes(text: str, written: str) -> None:
    moment = rfc3339(text)
    assert moment is not None
    assert chrono_text(moment) == written


@pytest.mark.parametrize(
    "text",
    [
        " 2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z ", "2020-01-01T00:00:00+0000",
        "2020-01-01T00:00:00+00", "2020-01-01T00:00:00+24:00", "2020-01-01T00:00:00+23:60",
        "2020-01-01T24:00:00Z", "2020-01-01T00:00:61Z", "2019-02-29T00:00:00Z",
        "2020-01-01T00:00:00.Z", "2020-01-01T00:00:00,5Z", "20200-01-01T00:00:00Z",
        "2020-01-01T00:00:00.5", "2020-01-01", "2020-01-01T00:00:00\u0661Z",
    ],
)  # fmt: skip
def test_what_chrono_refuses(text: str) -> None:
    assert rfc3339(text) is None


@pytest.mark.parametrize(
    ("text", "canonical", "stored"),
    [
        # Microseconds whatever the precision, rounded half to even as rint rounds.
        ("2020-01-01T00:00:00.123456789Z", "timestamp(3) without time zone",
         "2020-01-01 00:00:00.123457"),
        ("2020-01-01T00:00:00.0000005Z", "timestamp(3) without time zone", "2020-01-01 00:00:00"),
        ("2020-01-01T23:59:59.9999999Z", "timestamp(3) without time zone", "2020-01-02 00:00:00"),
        # A leap second carries over; the offset is ignored without a time zone.
        ("1999-12-31T23:59:60+01:00", "timestamp(3) without time zone", "2000-01-01 00:00:00"),
        ("1999-12-31T23:59:60+01:00", "timestamp with time zone", "1999-12-31 23:00:00+00"),
        ("9999-12-31T23:00:00-02:00", "timestamp with time zone", "10000-01-01 01:00:00+00"),
        ("0001-01-01T00:30:00+01:00", "timestamp with time zone", "0001-12-31 23:30:00+00 BC"),
        ("2020-01-01T23:59:59.9-01:00", "date", "2020-01-01"),
        ("2020-01-01T10:00:00.7Z", "time(0) without time zone", "10:00:00.7"),
        ("2020-01-01T23:59:60Z", "time without time zone", "24:00:00"),
        ("2020-01-01T10:00:00.5-03:30", "time with time zone", "10:00:00.5-03:30"),
        ("2020-01-01T10:00:00+02:00", "time with time zone", "10:00:00+02"),
    ],
)  # fmt: skip
def test_what_postgresql_stores(text: str, canonical: str, stored: str) -> None:
    moment = rfc3339(text)
    assert moment is not None
    assert stored_moment(moment, canonical) == stored
