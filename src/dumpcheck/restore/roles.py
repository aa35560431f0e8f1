"""The roles a restore needs: the ones the dump names that the server lacks, created first.

pg_dump does not dump roles, so a role it names (OWNER TO, GRANT) is created NOLOGIN, which is
all ownership and grants need. A pg_dumpall file has a roles section: there the role is created
as it defines it (LOGIN, NOINHERIT, CONNECTION LIMIT ...) with its memberships, but never with
its password, and only on a server dumpcheck started itself; on someone else's server
(--scratch-dsn, refresh's target server) a role with the dump's LOGIN or SUPERUSER would outlive
the run, so it is NOLOGIN there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import psycopg
from psycopg import sql

from dumpcheck.inventory.model import DumpFacts, RoleDefinition, RoleMembership
from dumpcheck.restore.model import PreflightFinding
from dumpcheck.scratch import classify_db_error

# Where the attributes of the roles created came from (reports say so).
RoleSource = Literal["names", "roles_section", "roles_section_nologin"]

# An attribute as the inventory keeps it (inventory/plain/cluster.py); checked again here, so
# that nothing but these words and a number ever reaches CREATE ROLE.
_ATTRIBUTE = re.compile(
    r"(?:NO)?(?:SUPERUSER|INHERIT|CREATEROLE|CREATEDB|LOGIN|REPLICATION|BYPASSRLS)"
    r"|CONNECTION LIMIT -?\d+"
)
# GRANT role TO member WITH INHERIT / SET options exist from PostgreSQL 16 (grant_role_opt).
_GRANT_OPTIONS_MAJOR = 16

Connection = psycopg.Connection[tuple[object, ...]]


@dataclass
class CreatedRoles:
    """What was created, and from what."""

    names: list[str] = field(default_factory=list)
    source: RoleSource = "names"
    findings: list[PreflightFinding] = field(default_factory=list)


def create_roles(
    conn: Connection, facts: DumpFacts, *, own_server: bool, major: int
) -> CreatedRoles:
    """Create every role the dump names and the server lacks (PUBLIC is no role at all)."""
    wanted = sorted({r for r in facts.roles if r and r.upper() != "PUBLIC"})
    out = CreatedRoles()
    cluster = facts.cluster
    defined = {d.name: d for d in cluster.roles} if cluster is not None else {}
    if defined:
        out.source = "roles_section" if own_server else "roles_section_nologin"
    if not wanted:
        return out
    existing = {
        str(r[0])
        for r in conn.execute(
            "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(%s)", (wanted,)
        )
    }
    for role in wanted:
        if role in existing:
            continue
        definition = defined.get(role) if own_server else None
        if _create(conn, role, definition, out.findings):
            out.names.append(role)
    if cluster is not None:
        for membership in cluster.memberships:
            # Only a role this run created gains a membership: an existing role is never changed.
            if membership.member in out.names and membership.role in {*existing, *out.names}:
                _grant(conn, membership, major, out.findings)
    return out


def _create(
    conn: Connection,
    role: str,
    definition: RoleDefinition | None,
    findings: list[PreflightFinding],
) -> bool:
    attributes = [
        a for a in (definition.attributes if definition else ()) if _ATTRIBUTE.fullmatch(a)
    ]
    if not any(a in ("LOGIN", "NOLOGIN") for a in attributes):
        attributes.append("NOLOGIN")
    statement = sql.SQL("CREATE ROLE {} WITH {}").format(
        sql.Identifier(role), sql.SQL(" ".join(attributes))
    )
    try:
        conn.execute(statement)
    except psycopg.errors.DuplicateObject:
        return False  # another restore on this server created it in the meantime
    except psycopg.Error as exc:
        _raise_environment(exc)
        findings.append(
            PreflightFinding(
                "missing_role",
                role,
                f"role {role} is missing and could not be created: "
                f"{' '.join(str(exc).split())}; its OWNER TO / GRANT statements will fail",
            )
        )
        return False
    return True


def _grant(
    conn: Connection, membership: RoleMembership, major: int, findings: list[PreflightFinding]
) -> None:
    options = ["ADMIN OPTION"] if membership.admin else []
    if major >= _GRANT_OPTIONS_MAJOR:
        for word, value in (("INHERIT", membership.inherit), ("SET", membership.set_role)):
            if value is not None:
                options.append(f"{word} {'TRUE' if value else 'FALSE'}")
    statement = sql.SQL("GRANT {} TO {}{}").format(
        sql.Identifier(membership.role),
        sql.Identifier(membership.member),
        sql.SQL(" WITH " + ", ".join(options) if options else ""),
    )
    try:
        conn.execute(statement)
    except psycopg.Error as exc:
        _raise_environment(exc)
        findings.append(
            PreflightFinding(
                "missing_role",
                membership.member,
                f"role {membership.member} could not be made a member of {membership.role} as "
                f"the dump's roles section says: {' '.join(str(exc).split())}",
            )
        )


def _raise_environment(exc: psycopg.Error) -> None:
    env = classify_db_error(exc)
    if env is not None:
        raise env from exc
