"""The inventory command and its JSON: exit codes, one-line errors, output valid per its schema."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from dumpcheck.cli import cli, main
from dumpcheck.inventory import inventory
from dumpcheck.inventory.render import to_json_data, to_text

SMALL = b"""--
-- PostgreSQL database dump
--

-- Dumped from database version 17.2
-- Dumped by pg_dump version 18.1

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Name: items; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public.items (
    id integer NOT NULL,
    owner_id integer
);

ALTER TABLE public.items OWNER TO app;

--
-- Data for Name: items; Type: TABLE DATA; Schema: public; Owner: app
--

COPY public.items (id, owner_id) FROM stdin;
1\t1
2\t\\N
\\.

ALTER TABLE ONLY public.items
    ADD CONSTRAINT items_owner_fkey FOREIGN KEY (owner_id) REFERENCES public.owners(id);

--
-- PostgreSQL database dump complete
--

"""


def _schema() -> dict[str, object]:
    text = resources.files("dumpcheck.inventory").joinpath("inventory.schema.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, standalone_mode=False)
    code = result.return_value if isinstance(result.return_value, int) else 0
    return code, result.stdout, ""


def test_facts_and_json_schema(tmp_path: Path) -> None:
    dump = tmp_path / "small.sql.gz"
    dump.write_bytes(gzip.compress(SMALL))
    inv = inventory(dump)
    f = inv.facts
    assert (f.format, f.compression, f.kind, f.complete) == ("plain", "gzip", "full", True)
    assert (f.pg_dump_version, f.server_version, f.encoding) == ("18.1", "17.2", "UTF8")
    assert f.roles == {"app"}
    assert [str(k) for k, _ in f.excluded_traces] == ["public.owners"]
    table = inv.catalog.table("public", "items")
    assert table is not None and table.rows == 2
    data = to_json_data(inv)
    jsonschema.validate(data, _schema())
    assert "items" in to_text(inv)


def test_cli_json_and_exit_codes(tmp_path: Path) -> None:
    dump = tmp_path / "small.sql"
    dump.write_bytes(SMALL)
    code, out, _ = _run(["inventory", str(dump), "--format", "json"])
    assert code == 0
    assert json.loads(out)["tables"][0]["rows"] == 2
    truncated = tmp_path / "cut.sql"
    truncated.write_bytes(SMALL[: SMALL.index(b"2\t")])
    code, out, _ = _run(["inventory", str(truncated)])
    assert code == 1
    assert "complete: NO" in out
    assert "inside the COPY data of public.items" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"hello, world\n", "not a PostgreSQL dump"),
        (gzip.compress(SMALL)[:-8] + b"\x00\x00\x00\x00\x00\x00\x00\x00", "corrupt gzip"),
        (b"BZh9" + b"\x31\x41\x59\x26\x53\x59" + b"\xff" * 40, "corrupt bzip2"),
        (b"\xfd7zXZ\x00" + b"\x00" * 40, "corrupt xz"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.dump"
    bad.write_bytes(content)
    with pytest.raises(SystemExit) as exc:
        main(["inventory", str(bad)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_directory_without_toc_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["inventory", str(tmp_path)])
    assert exc.value.code == 2
    assert "without toc.dat" in capsys.readouterr().err


def test_schema_only_and_data_only(tmp_path: Path) -> None:
    schema_only = tmp_path / "schema.sql"
    start, end = SMALL.index(b"--\n-- Data for"), SMALL.index(b"ALTER TABLE ONLY")
    schema_only.write_bytes(SMALL[:start] + SMALL[end:])
    assert inventory(schema_only).facts.kind == "schema-only"
    data_only = tmp_path / "data.sql"
    data_only.write_bytes(SMALL[: SMALL.index(b"--\n-- Name")] + SMALL[start:end] + SMALL[-60:])
    inv = inventory(data_only)
    assert inv.facts.kind == "data-only"
    table = inv.catalog.table("public", "items")
    assert table is not None and table.rows == 2


@pytest.mark.parametrize("codec", ["gzip", "lz4", "zstd", "bzip2", "xz"])
def test_compressed_streams_cut_short_or_concatenated(tmp_path: Path, codec: str) -> None:
    """Detected by content (the name says nothing), several members/streams followed, and a
    stream cut short is a truncated dump."""
    import bz2
    import lzma

    import lz4.frame
    import zstandard

    compress = {
        "gzip": gzip.compress,
        "lz4": lz4.frame.compress,
        "zstd": lambda b: zstandard.ZstdCompressor().compress(b),
        "bzip2": bz2.compress,
        "xz": lzma.compress,
    }[codec]
    dump = tmp_path / "d.sql.x"
    dump.write_bytes(compress(SMALL[:200]) + compress(SMALL[200:]))  # two members/frames
    inv = inventory(dump)
    assert (inv.facts.compression, inv.facts.complete) == (codec, True)
    cut = compress(SMALL[: SMALL.index(b"2\t")]) + compress(SMALL)[:20]
    dump.write_bytes(cut)
    inv = inventory(dump)
    assert not inv.facts.complete
    assert "public.items" in (inv.facts.stops_at or "")
