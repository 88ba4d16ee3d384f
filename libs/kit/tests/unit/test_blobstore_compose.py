"""A composed blob puts its whole back together byte for byte, or is not composed at all."""

from __future__ import annotations

import base64
import os
import random
from collections.abc import Callable

import pytest

from hirestream.kit.blobstore import blob_ref, compose, reassemble, stored


def lines(data: bytes, width: int, eol: bytes) -> bytes:
    text = base64.b64encode(data)
    return eol.join(text[i : i + width] for i in range(0, len(text), width))


CV = b"%PDF-1.4\n" + os.urandom(20_000)
LETTER = b"Dear team,\n" + os.urandom(5_000)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda d: d, id="verbatim (multipart upload)"),
        pytest.param(lambda d: base64.b64encode(d), id="base64 one line (JSON)"),
        pytest.param(lambda d: lines(d, 76, b"\r\n"), id="base64 76 CRLF (SMTP)"),
        pytest.param(lambda d: lines(d, 76, b"\n"), id="base64 76 LF"),
        pytest.param(lambda d: lines(d, 72, b"\r\n"), id="base64 72 CRLF"),
        pytest.param(lambda d: lines(d, 64, b"\n"), id="base64 64 LF"),
    ],
)
def test_raw_input_with_files_inside_is_reassembled_byte_for_byte(
    encode: Callable[[bytes], bytes],
) -> None:
    raw = b"head\r\n" + encode(CV) + b"\r\n--b\r\n" + encode(LETTER) + b"\r\n--b--\r\n"
    contained = [(blob_ref(CV, "application/pdf"), CV), (blob_ref(LETTER, "text/plain"), LETTER)]
    blob = compose(raw, "message/rfc822", contained)
    assert blob is not None
    assert blob.ref == blob_ref(raw, "message/rfc822")  # addressed by the whole
    assert len(blob.data) < 100  # the files are not kept a second time
    contents = {ref.sha256: data for ref, data in contained}
    assert reassemble(blob.data, blob.layout or [], contents) == raw
    assert [p.get("blob") for p in blob.layout or [] if "blob" in p] == [
        contained[0][0].sha256,
        contained[1][0].sha256,
    ]


def test_files_not_found_as_such_leave_the_raw_input_whole() -> None:
    cv = blob_ref(CV, "application/pdf")
    odd_lines = b"x\r\n" + lines(CV, 76, b"\r\n").replace(b"\r\n", b"\r\n ", 3) + b"\r\n"
    for raw in (b"nothing inside", odd_lines, CV[:-1]):
        blob = stored(raw, "message/rfc822", [(cv, CV)])
        assert blob.layout is None and blob.data == raw


def test_a_raw_input_that_is_the_file_itself_is_not_made_to_refer_to_itself() -> None:
    blob = stored(CV, "application/pdf", [(blob_ref(CV, "application/pdf"), CV)])
    assert blob.layout is None and blob.data == CV


def test_random_placements_and_encodings_always_reassemble() -> None:
    rng = random.Random(7)
    for _ in range(200):
        files = [os.urandom(rng.randint(1024, 8000)) for _ in range(rng.randint(1, 3))]
        pieces = [os.urandom(rng.randint(0, 50))]
        for data in files * rng.randint(1, 2):  # a file may appear twice
            pieces.append(
                rng.choice(
                    [data, base64.b64encode(data), lines(data, rng.choice([60, 64, 76]), b"\r\n")]
                )
            )
            pieces.append(os.urandom(rng.randint(0, 50)))
        raw = b"".join(pieces)
        contained = [(blob_ref(d, "application/octet-stream"), d) for d in files]
        blob = stored(raw, "application/octet-stream", contained)
        contents = {ref.sha256: d for ref, d in contained}
        whole = reassemble(blob.data, blob.layout, contents) if blob.layout else blob.data
        assert whole == raw


def test_the_prefix_probe_finds_what_bytes_find_finds() -> None:
    from hirestream.kit.blobstore import _PROBE, _PROBE_TRIES, _find

    rng = random.Random(7)
    blob = rng.randbytes(5000)
    near_misses = blob[:_PROBE] + b"x"  # the prefix, then not the blob
    cases = [
        (rng.randbytes(300) + blob + rng.randbytes(300), blob),
        (blob, blob),
        (b"", blob),
        (rng.randbytes(9000), blob),  # absent
        (blob[:-1], blob),  # all but its last byte
        (near_misses * (_PROBE_TRIES - 1) + blob, blob),
        (near_misses * (_PROBE_TRIES + 3) + blob + blob, blob),  # past the tries: full search
        (near_misses * (_PROBE_TRIES + 3), blob),
        (bytes(20000), bytes(5000)),  # one repeated byte
        (b"a" * 7000 + b"b", b"a" * 6000 + b"b"),
        (b"xyzabc", b"abc"),  # shorter than the probe
    ]
    for data, content in cases:
        assert _find(data, content) == data.find(content)
