"""A database URL as Prisma reads it, turned into a libpq conninfo and a printable name.

Prisma's PostgreSQL URLs carry parameters libpq does not know (``schema``,
``connection_limit``, ``pgbouncer``, ...; prisma-engines ``quaint`` ``PostgresUrl``); libpq
rejects an unknown URI parameter outright ("invalid URI query parameter"), so those are taken
out here and ``schema`` is kept as the default schema Prisma resolves models in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from dumpcheck.errors import BadInputError


@dataclass(frozen=True)
class DatabaseUrl:
    """Where the database is, what Prisma would resolve in it, and how to name it safely."""

    conninfo: str  # for libpq: the URL without Prisma-only parameters, password included
    # Prisma's default schema as the URL (or --schema) says; None: not said, so public unless
    # the Prisma schema's own datasource URL names one.
    schema: str | None
    shown: str  # the URL with its password replaced, for reports and errors
    secrets: tuple[str, ...] = ()  # passwords, only to scrub them from any message

    def scrub(self, text: str) -> str:
        """``text`` with every password (plain or percent-encoded) replaced."""
        for secret in self.secrets:
            for form in {secret, quote(secret, safe="")}:
                text = text.replace(form, "********")
        return text


@cache
def _libpq_keywords() -> frozenset[str]:
    import psycopg

    return frozenset(o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults())


def parse_database_url(url: str, *, schema: str | None = None) -> DatabaseUrl:
    """Read a ``postgresql://`` URL (Prisma's form) or a libpq ``key=value`` string.

    ``schema`` (from ``--schema``) wins over the URL's own ``?schema=``.
    """
    text = url.strip()
    if not text:
        raise BadInputError("no database URL: pass one, or set DATABASE_URL")
    if text.startswith(("postgresql://", "postgres://")):
        return _from_url(text, schema)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise BadInputError(
            f"{scheme}:// is not a PostgreSQL URL: dumpcheck reads postgresql:// URLs "
            "or libpq key=value strings"
        )
    return _from_keywords(text, schema)


def _from_url(text: str, schema: str | None) -> DatabaseUrl:
    try:
        parts = urlsplit(text)
        password = unquote(parts.password) if parts.password is not None else None
    except ValueError as exc:  # "Invalid IPv6 URL"
        raise BadInputError(f"not a valid database URL: {exc}") from exc
    known = _libpq_keywords()
    kept: list[tuple[str, str]] = []
    url_schema: str | None = None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "schema":
            url_schema = value  # parse_qsl already percent-decoded it, as Prisma does
        elif key in known:
            kept.append((key, value))
        # Anything else is Prisma's own (connection_limit, pool_timeout, pgbouncer,
        # statement_cache_size, socket_timeout, sslaccept, sslidentity, ...): not for libpq.
    conninfo = urlunsplit(parts._replace(query=urlencode(kept), fragment=""))
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:********@{host}" if password is not None else f"{user}@{host}"
    shown_query = [
        (k, "********" if k in ("password", "sslpassword") else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    shown = urlunsplit(
        parts._replace(netloc=netloc, query=urlencode(shown_query, safe="/"), fragment="")
    )
    secrets = [v for k, v in kept if k in ("password", "sslpassword") and v]
    if password:
        secrets.append(password)
    _check_conninfo(conninfo, shown)
    return DatabaseUrl(conninfo, schema or url_schema or None, shown, tuple(secrets))


def _from_keywords(text: str, schema: str | None) -> DatabaseUrl:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(text)
    except psycopg.ProgrammingError as exc:
        raise BadInputError(
            "the database is neither a postgresql:// URL nor a libpq key=value string: "
            + " ".join(str(exc).split())[:200]
        ) from exc
    secrets = tuple(str(params[k]) for k in ("password", "sslpassword") if params.get(k))
    shown = make_conninfo(
        "",
        **{k: ("********" if k in ("password", "sslpassword") else v) for k, v in params.items()},
    )
    return DatabaseUrl(text, schema, shown, secrets)


def _check_conninfo(conninfo: str, shown: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        raise BadInputError(f"{shown} is not a valid database URL") from exc
