"""pg_dumpall files: which database each item belongs to, and what the roles section defines.

pg_dumpall (pg_dumpall.c) writes a header, the roles (dumpRoles, dumpRoleMembership), the
tablespaces, then for each database a ``-- Database "name" dump`` comment followed by
``pg_dump --create``'s output for it (template1 and postgres without --create, after their own
``\\connect``). Before PostgreSQL 11 every database was created up front and each part began at
its ``\\connect``; both shapes are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dumpcheck.inventory.model import RoleDefinition, RoleMembership
from dumpcheck.inventory.plain.items import DatabaseSection, InsertRows, MetaCommand, PlainItem

CLUSTER_TRAILER = "-- PostgreSQL database cluster dump complete"
# Sections named so only hold what initdb put there unless a table says otherwise.
SYSTEM_DATABASES = ("template1", "postgres")

_DBNAME_IN_CONNINFO = re.compile(r"dbname\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))")


@dataclass
class SectionRouter:
    """Which database's part each item of a pg_dumpall file is in (None: the global part)."""

    current: str | None = None
    databases: list[str] = field(default_factory=list)  # in the order the file has them

    def route(self, item: PlainItem | InsertRows) -> tuple[str | None, bool]:
        """(the database ``item`` belongs to, whether its part starts with it)."""
        if isinstance(item, DatabaseSection):
            return self._start(item.database)
        if isinstance(item, MetaCommand) and item.command in ("connect", "c"):
            target = connect_target(item.argument)
            # pg_dump --create's own \connect stays in the part its comment opened; one to
            # another database opens that one's part (pg_dumpall before 11 has no comment).
            if target is not None and target != self.current:
                return self._start(target)
        return self.current, False

    def _start(self, database: str) -> tuple[str, bool]:
        self.current = database
        if database not in self.databases:
            self.databases.append(database)
        return database, True


def connect_target(argument: str) -> str | None:
    """The database named by a ``\\connect`` argument (plain name, quoted, or conninfo)."""
    arg = argument.strip()
    if arg.startswith("-reuse-previous"):
        arg = arg.split(None, 1)[1] if " " in arg else ""
    if not arg or arg == "-":
        return None
    word = _first_word(arg)
    m = _DBNAME_IN_CONNINFO.search(word)
    if "=" in word and m:
        return m.group(1) if m.group(1) is not None else m.group(2)
    return word


def _first_word(arg: str) -> str:
    if arg.startswith('"'):
        end = 1
        out = []
        while end < len(arg):
            if arg[end] == '"':
                if arg[end + 1 : end + 2] == '"':
                    out.append('"')
                    end += 2
                    continue
                break
            out.append(arg[end])
            end += 1
        return "".join(out)
    return arg.split()[0]


# -- the roles section -------------------------------------------------------------------------

# A token of a role statement: a quoted name, a string literal (a password: skipped whole, so
# that nothing inside it is ever read as a word), a comma, or a word.
_TOKEN = re.compile(r""""(?:[^"]|"")*"|[Ee]'(?:[^'\\]|''|\\.)*'|'(?:[^']|'')*'|,|;|[^\s,;'"]+""")
# The attributes kept, by family (CREATE ROLE's options, user.c). Everything else is dropped:
# PASSWORD and its literal, VALID UNTIL (the password's expiry), IN ROLE / ROLE / ADMIN.
_FLAGS = {
    flag: family
    for family in ("SUPERUSER", "CREATEDB", "CREATEROLE", "INHERIT", "LOGIN", "REPLICATION")
    for flag in (family, "NO" + family)
} | {"BYPASSRLS": "BYPASSRLS", "NOBYPASSRLS": "BYPASSRLS"}
_LIMIT = re.compile(r"-?\d+")
# What CREATE ROLE gives when an attribute is not stated (user.c): kept out of the definitions,
# which list only what differs, in pg_dumpall's order (dumpRoles).
_DEFAULTS = {
    "SUPERUSER": "NOSUPERUSER",
    "INHERIT": "INHERIT",
    "CREATEROLE": "NOCREATEROLE",
    "CREATEDB": "NOCREATEDB",
    "LOGIN": "NOLOGIN",
    "REPLICATION": "NOREPLICATION",
    "BYPASSRLS": "NOBYPASSRLS",
    "CONNECTION LIMIT": "CONNECTION LIMIT -1",
}


@dataclass
class RolesSection:
    """The roles a pg_dumpall file's global part creates, read statement by statement.

    Only names, attributes and memberships are kept: never a password, never a statement's
    text (``ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$...'`` holds the hash).
    """

    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> family -> word
    memberships: list[RoleMembership] = field(default_factory=list)

    def feed(self, text: str) -> None:
        """Read one statement of the global part; what is not about roles is ignored."""
        words = _tokens(text)
        upper = [w.upper() for w in words[:3]]
        if upper[:2] in (["CREATE", "ROLE"], ["CREATE", "USER"], ["CREATE", "GROUP"]):
            if len(words) > 2:
                # CREATE ROLE is NOLOGIN unless it says otherwise; CREATE USER is LOGIN.
                login = "LOGIN" if upper[1] == "USER" else "NOLOGIN"
                found = self.attributes.setdefault(_name(words[2]), {"LOGIN": login})
                self._options(found, words[3:])
        elif upper[:2] == ["ALTER", "ROLE"] and len(words) > 3:
            # ALTER ROLE x SET / RESET / IN DATABASE / RENAME: settings, not attributes.
            if words[3].upper() == "WITH" or words[3].upper() in _FLAGS:
                self._options(self.attributes.setdefault(_name(words[2]), {}), words[3:])
        elif upper[:1] == ["GRANT"]:
            self._grant(words)

    def _options(self, found: dict[str, str], words: list[str]) -> None:
        for i, word in enumerate(words):
            flag = word.upper()
            if flag in _FLAGS:
                found[_FLAGS[flag]] = flag
            elif flag == "CONNECTION" and words[i + 1 : i + 2] == ["LIMIT"]:
                limit = words[i + 2] if i + 2 < len(words) else ""
                if _LIMIT.fullmatch(limit):
                    found["CONNECTION LIMIT"] = f"CONNECTION LIMIT {int(limit)}"

    def _grant(self, words: list[str]) -> None:
        """``GRANT role, ... TO member, ... [WITH options] [GRANTED BY x]`` (a membership);
        a GRANT with ON is a privilege (PostgreSQL 15+ parameters), not a membership."""
        upper = [w.upper() for w in words]
        if "TO" not in upper or "ON" in upper[: upper.index("TO")]:
            return
        to = upper.index("TO")
        tail = ("WITH", "GRANTED", ";")
        end = next((i for i in range(to + 1, len(words)) if upper[i] in tail), len(words))
        groups = [_name(w) for w in words[1:to] if w != ","]
        members = [_name(w) for w in words[to + 1 : end] if w != ","]
        admin, inherit, set_role = _grant_options(upper[end:])
        for group in groups:
            for member in members:
                self.memberships.append(RoleMembership(group, member, admin, inherit, set_role))

    def definitions(self, names: set[str] | frozenset[str]) -> tuple[RoleDefinition, ...]:
        """The roles among ``names`` that the section defines, with their attributes."""
        return tuple(
            RoleDefinition(name, _stated(self.attributes[name]))
            for name in sorted(names)
            if name in self.attributes
        )

    def memberships_among(self, names: set[str] | frozenset[str]) -> tuple[RoleMembership, ...]:
        """The memberships whose role and member are both among ``names``."""
        return tuple(m for m in self.memberships if m.role in names and m.member in names)


def _stated(found: dict[str, str]) -> tuple[str, ...]:
    return tuple(
        found[family]
        for family, default in _DEFAULTS.items()
        if family in found and found[family] != default
    )


def _grant_options(words: list[str]) -> tuple[bool, bool | None, bool | None]:
    """(admin, inherit, set) from WITH ADMIN OPTION (any version), or 16+'s
    WITH ADMIN/INHERIT/SET TRUE|FALSE; None where the grant does not say."""
    found: dict[str, bool] = {}
    for i, word in enumerate(words[:-1]):
        if word in ("ADMIN", "INHERIT", "SET") and words[i + 1] in ("OPTION", "TRUE", "FALSE"):
            found[word] = words[i + 1] != "FALSE"
    return found.get("ADMIN", False), found.get("INHERIT"), found.get("SET")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _name(word: str) -> str:
    """A role name as a token spells it: quoted (kept as is) or folded to lower case."""
    if word.startswith('"') and word.endswith('"') and len(word) > 1:
        return word[1:-1].replace('""', '"')
    return word.lower()
