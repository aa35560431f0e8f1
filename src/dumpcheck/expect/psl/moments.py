"""DateTime defaults as Prisma's engine reads and writes them (chrono, not Python's datetime).

parser-database reads a DateTime default with chrono's ``DateTime::parse_from_rfc3339`` and the
schema engine writes it with ``%Y-%m-%d %H:%M:%S%.f %:z``. chrono accepts what Python's
``datetime`` cannot hold (year 0, a leap second at the end of any minute, nine fraction
digits), so the text's own fields are kept here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# parse_rfc3339 (chrono format/parse.rs): a 4-digit year, `T`, `t` or a space, an optional
# fraction of any length (nine digits are kept), then `Z`, `z` or an offset with a colon.
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))",
    re.ASCII,
)


class Moment(NamedTuple):
    """A date-time as written in the schema: its local fields and its offset."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int  # 60 for a leap second
    nanos: int  # 0 ..= 999_999_999
    offset: int  # minutes east of UTC


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def rfc3339(text: str) -> Moment | None:
    """The moment, or None where chrono refuses the text (no trimming; a day the month does
    not have, hour 24, minute or second past 60, an offset of 24 hours or more)."""
    m = _RFC3339.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(m[i]) for i in range(1, 7))
    nanos = int((m[7] or "")[:9].ljust(9, "0"))
    offset = 0
    if m[8]:
        hours, minutes = int(m[9]), int(m[10])
        if minutes >= 60 or hours >= 24:
            return None
        offset = (hours * 60 + minutes) * (-1 if m[8] == "-" else 1)
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return None
    if hour >= 24 or minute >= 60 or second > 60:
        return None
    return Moment(year, month, day, hour, minute, second, nanos, offset)


def chrono_text(moment: Moment) -> str:
    """``%Y-%m-%d %H:%M:%S%.f %:z``: `%.f` prints no fraction, or 3, 6 or 9 digits."""
    nanos = moment.nanos
    if nanos == 0:
        fraction = ""
    elif nanos % 1_000_000 == 0:
        fraction = f".{nanos // 1_000_000:03d}"
    elif nanos % 1_000 == 0:
        fraction = f".{nanos // 1_000:06d}"
    else:
        fraction = f".{nanos:09d}"
    sign = "-" if moment.offset < 0 else "+"
    hours, minutes = divmod(abs(moment.offset), 60)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}{fraction} "
        f"{sign}{hours:02d}:{minutes:02d}"
    )
