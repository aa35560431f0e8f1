"""A DateTime default as PostgreSQL stores it, from the text Prisma's DDL gives it.

PostgreSQL reads the fraction with strtod and rounds it to microseconds (datetime.c
ParseFractionalSecond: rint) and lets a leap second carry into the next minute (tm2timestamp).
The stored constant keeps those microseconds whatever the column's precision (the default is
not cut to the type modifier; measured on PostgreSQL 18) and is printed by its type's output
function (TimeZone=UTC assumed, as catalog.py sets it).
Integer arithmetic throughout: the moments Prisma accepts include some that Python's
``datetime`` cannot hold (year 0, a leap second, a UTC time in year 10000).
"""

from __future__ import annotations

from dumpcheck.expect.psl.moments import Moment

_DAY_US = 86_400_000_000


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719_468
    era = days // 146_097
    doe = days - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


_EPOCH = _days_from_civil(2000, 1, 1)  # PostgreSQL's own epoch


def _fraction_us(moment: Moment) -> int:
    """The fraction as PostgreSQL reads Prisma's text of it: rint(strtod(".ddd") * 1e6). The
    text has 3, 6 or 9 of these digits (chrono_text); trailing zeros give the same double."""
    return round(float(f"0.{moment.nanos:09d}") * 1_000_000) if moment.nanos else 0


def _clock(value: int) -> str:
    """HH:MM:SS[.ffffff] of microseconds into a day (24:00:00 included, as time prints it)."""
    seconds, micros = divmod(value, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    fraction = f".{micros:06d}".rstrip("0") if micros else ""
    return f"{hour:02d}:{minute:02d}:{second:02d}{fraction}"


def _timestamp(value: int, zone: str) -> str:
    days, into = divmod(value, _DAY_US)
    year, month, day = _civil_from_days(days + _EPOCH)
    era = ""
    if year <= 0:  # EncodeDateTime: 1 BC is year 0
        year, era = 1 - year, " BC"
    return f"{year:04d}-{month:02d}-{day:02d} {_clock(into)}{zone}{era}"


def _zone(offset: int) -> str:
    """A time zone as timetz prints it: +HH, or +HH:MM when there are minutes."""
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    return f"{sign}{hours:02d}" + (f":{minutes:02d}" if minutes else "")


def stored_moment(moment: Moment, canonical: str) -> str:
    """What the column type's output function prints for the default Prisma wrote."""
    local_day = _days_from_civil(moment.year, moment.month, moment.day) - _EPOCH
    clock = (moment.hour * 60 + moment.minute) * 60 + moment.second
    fraction = _fraction_us(moment)
    local = local_day * _DAY_US + clock * 1_000_000 + fraction
    if canonical.startswith("timestamp"):
        if "with time zone" in canonical:
            utc = local - moment.offset * 60_000_000
            return _timestamp(utc, "+00")
        return _timestamp(local, "")  # the offset is ignored
    if canonical == "date":
        return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"  # the time is ignored
    time = clock * 1_000_000 + fraction
    if "with time zone" in canonical:
        return _clock(time) + _zone(moment.offset)
    return _clock(time)
