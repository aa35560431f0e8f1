"""tar_padded_end: where a cut-short tar member would end, so pg_restore can be given a copy."""

from __future__ import annotations

import io
from pathlib import Path

from dumpcheck.restore.archive import TAR_BLOCK, tar_padded_end

TAR = Path(__file__).resolve().parents[2] / "fixtures/demo/dumps/complete.tar"


def _member_ends(data: bytes) -> list[int]:
    ends, pos = [], 0
    while data[pos : pos + TAR_BLOCK].strip(b"\0"):
        size = int(data[pos + 124 : pos + 136].rstrip(b"\0 "), 8)
        pos += TAR_BLOCK + -(-size // TAR_BLOCK) * TAR_BLOCK
        ends.append(pos)
    return ends


def test_cut_inside_a_member_pads_to_its_end() -> None:
    data = TAR.read_bytes()
    ends = _member_ends(data)
    for start, end in zip([0, *ends], ends, strict=False):
        for cut in (start + TAR_BLOCK + 7, end - 1):
            assert tar_padded_end(io.BytesIO(data[:cut]), cut) == end, cut
        # A cut inside the header: pg_restore reports "incomplete tar header"; only round up.
        assert tar_padded_end(io.BytesIO(data[: start + 1]), start + 1) == start + TAR_BLOCK


def test_cut_on_a_boundary_or_in_the_trailer_pads_nothing() -> None:
    data = TAR.read_bytes()
    ends = _member_ends(data)
    for cut in ends:
        assert tar_padded_end(io.BytesIO(data[:cut]), cut) == cut
    last = ends[-1]
    assert tar_padded_end(io.BytesIO(data[: last + 700]), last + 700) == last + 2 * TAR_BLOCK


def test_a_garbage_size_field_stops_the_walk() -> None:
    header = bytearray(TAR_BLOCK)
    header[0:4] = b"toc."
    header[124:136] = b"9999999999\0\0"  # not octal
    data = bytes(header) + b"x" * 100
    assert tar_padded_end(io.BytesIO(data), len(data)) == 2 * TAR_BLOCK
