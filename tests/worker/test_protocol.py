"""Frames and values across the grader/worker boundary: data only, checked, capped."""

import os

import numpy as np
import pytest

from autograder.worker import protocol


def roundtrip(value):
    frame = protocol.pack({"v": value})
    r, w = os.pipe()
    try:
        os.write(w, frame)
        return protocol.read_frame(r)["v"]
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("value", [None, True, 3, -2.5, "text", [1, 2], {"a": 1}, (1, (2.0, "x"))])
def test_plain_values_roundtrip_with_their_types(value):
    out = roundtrip(value)
    assert out == value and type(out) is type(value)


def test_non_finite_floats_survive():
    out = roundtrip([float("nan"), float("inf"), float("-inf")])
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == -np.inf


def test_arrays_keep_shape_dtype_and_values():
    for arr in [np.arange(6).reshape(2, 3), np.array([True, False]), np.zeros((0, 4)), np.float32(1.5) * np.ones(3)]:
        out = roundtrip(arr)
        assert type(out) is np.ndarray and out.dtype == arr.dtype and out.shape == arr.shape
        assert np.array_equal(out, arr)


def test_numpy_scalars_stay_numpy_scalars():
    out = roundtrip((np.float64(2.5), np.bool_(True), np.int32(7)))
    assert [type(x) for x in out] == [np.float64, np.bool_, np.int32]


@pytest.mark.parametrize("value", [
    np.array([object()], dtype=object),
    np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]),
    np.array(["a", "b"]),
    object(),
    {1: "int key"},
    2 ** 80,
    lambda: 1,
])
def test_objects_with_behaviour_or_odd_dtypes_are_refused(value):
    with pytest.raises(protocol.EncodeError):
        protocol.pack({"v": value})


def test_ndarray_subclasses_are_refused():
    class Sneaky(np.ndarray):
        def __eq__(self, other):
            return True

    with pytest.raises(protocol.EncodeError):
        protocol.pack({"v": np.arange(3).view(Sneaky)})


def test_deep_nesting_is_refused():
    value: list = []
    for _ in range(100):
        value = [value]
    with pytest.raises(protocol.EncodeError):
        protocol.pack({"v": value})


def test_oversized_frame_is_refused_before_reading_the_body():
    frame = protocol.pack({"v": np.zeros(10_000)})
    r, w = os.pipe()
    os.write(w, frame[:64])
    with pytest.raises(protocol.ProtocolError, match="exceeds the cap"):
        protocol.read_frame(r, max_frame=1000)
    os.close(r)
    os.close(w)


@pytest.mark.parametrize("garbage", [b"XXXX" + b"\0" * 12, protocol.MAGIC + b"\0\0\0\x05" + b"\0" * 8 + b"{bad}"])
def test_malformed_frames_raise_protocol_errors(garbage):
    r, w = os.pipe()
    os.write(w, garbage)
    os.close(w)
    with pytest.raises((protocol.ProtocolError, EOFError)):
        protocol.read_frame(r)
    os.close(r)


def test_a_pickle_blob_is_not_loaded():
    import io
    import json
    import struct

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    blob = buf.getvalue()
    header = json.dumps({"msg": {"v": {"$nd": 0}}, "blobs": [len(blob)]}).encode()
    frame = struct.pack(">4sIQ", protocol.MAGIC, len(header), len(blob)) + header + blob
    r, w = os.pipe()
    os.write(w, frame)
    with pytest.raises(protocol.ProtocolError):
        protocol.read_frame(r)
    os.close(r)
    os.close(w)


def test_read_times_out_on_a_stalled_partial_frame():
    import time

    r, w = os.pipe()
    os.write(w, protocol.pack({"v": 1})[:10])
    with pytest.raises(TimeoutError):
        protocol.read_frame(r, deadline=time.monotonic() + 0.2)
    os.close(r)
    os.close(w)
