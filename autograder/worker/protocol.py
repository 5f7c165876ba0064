"""Frames between the grader and the sandboxed worker: data only, never pickle.

A frame is ``MAGIC | u32 header length | u64 body length | header JSON | body``. The header
is a JSON message whose values are encoded by :func:`encode`; numpy arrays travel in the
body as ``.npy`` blobs (``allow_pickle=False``), named by index. Both sides cap the size of
every frame before allocating it. This module is standalone (numpy and the standard library
only): it is copied into the sandbox next to the worker.
"""

from __future__ import annotations

import io
import json
import math
import os
import select
import struct
import time
from typing import Any

import numpy as np

MAGIC = b"AGF1"
_PREFIX = struct.Struct(">4sIQ")
MAX_HEADER = 4 * 1024 * 1024
DEFAULT_MAX_FRAME = 256 * 1024 * 1024
MAX_DEPTH = 32
MAX_ITEMS = 100_000
ALLOWED_KINDS = "biufc"  # bool, ints, floats, complex: no object, string, void/structured, datetime


class ProtocolError(Exception):
    """A frame or value that breaks the protocol (malformed, oversized, forbidden type)."""


class EncodeError(ProtocolError):
    """A value that cannot be sent: only plain data crosses the boundary."""


# --------------------------------------------------------------------------- values


def _scrub(text: str) -> str:
    """A string as the grader may store it: lone surrogates (valid in JSON escapes, not in UTF-8) become
    U+FFFD, so a student's ``raise ValueError("\\udcff")`` cannot break writing feedback or the gradebook."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


_NPY_HEADER_MAX = 16384


def load_npy(blob: bytes | memoryview) -> np.ndarray:
    """A ``.npy`` blob as a plain numeric array, its header checked before anything is allocated:
    numeric dtype only, and a shape that matches the bytes actually sent (a forged header cannot make
    the grader allocate more than the frame it already read)."""
    fp = io.BytesIO(bytes(blob[:_NPY_HEADER_MAX]))  # numpy refuses longer headers anyway
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except Exception as exc:  # malformed npy header
        raise ProtocolError(f"malformed array: {exc}") from None
    if dtype.kind not in ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"forbidden array dtype {dtype}")
    count = math.prod(shape)
    offset = fp.tell()
    if count * dtype.itemsize != len(blob) - offset:
        raise ProtocolError(f"array of shape {shape} and dtype {dtype} does not match its {len(blob) - offset} bytes")
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


class _Encoder:
    def __init__(self) -> None:
        self.blobs: list[bytes] = []
        self.items = 0

    def array(self, arr: np.ndarray) -> int:
        if arr.dtype.kind not in ALLOWED_KINDS or arr.dtype.fields is not None:
            raise EncodeError(f"arrays of dtype {arr.dtype} cannot be graded (use a numeric dtype)")
        buf = io.BytesIO()
        np.save(buf, arr if arr.flags.c_contiguous else arr.copy(order="C"), allow_pickle=False)
        self.blobs.append(buf.getvalue())
        return len(self.blobs) - 1

    def value(self, v: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise EncodeError("value is nested too deeply or has too many items")
        t = type(v)
        if v is None or t is bool or t is str:
            return v
        if t is int:
            if abs(v) >= 1 << 63:
                raise EncodeError("integer too large")
            return v
        if t is float:
            return v if math.isfinite(v) else {"$f": repr(v)}
        if t is np.ndarray:  # exact type: subclasses (with their own __eq__ and friends) are refused
            return {"$nd": self.array(v)}
        if isinstance(v, np.generic) and type(v).__module__ == "numpy":
            return {"$np": self.array(np.asarray(v))}
        if t is tuple:
            return {"$tuple": [self.value(x, depth + 1) for x in v]}
        if t is list:
            return [self.value(x, depth + 1) for x in v]
        if t is dict:
            if not all(type(k) is str for k in v):
                raise EncodeError("dict keys must be strings")
            return {"$dict": [[k, self.value(x, depth + 1)] for k, x in v.items()]}
        raise EncodeError(f"a value of type {t.__module__}.{t.__qualname__} cannot be graded")


class _Decoder:
    def __init__(self, blobs: list[memoryview]):
        self.blobs = blobs

    def array(self, index: Any) -> np.ndarray:
        if type(index) is not int or not 0 <= index < len(self.blobs):
            raise ProtocolError("bad array reference")
        return load_npy(self.blobs[index])

    def value(self, v: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH + 1:
            raise ProtocolError("value nested too deeply")
        if v is None or type(v) in (bool, float):
            return v
        if type(v) is int:
            if abs(v) >= 1 << 63:  # the encoder never sends these: a forged frame
                raise ProtocolError("integer too large")
            return v
        if type(v) is str:
            return _scrub(v)
        if type(v) is list:
            return [self.value(x, depth + 1) for x in v]
        if type(v) is dict and len(v) == 1:
            (tag, body), = v.items()
            if tag == "$nd":
                return self.array(body)
            if tag == "$np":
                arr = self.array(body)
                if arr.shape != ():
                    raise ProtocolError("numpy scalar must be 0-d")
                return arr[()]
            if tag == "$f" and body in ("nan", "inf", "-inf"):
                return float(body)
            if tag == "$tuple" and type(body) is list:
                return tuple(self.value(x, depth + 1) for x in body)
            if tag == "$dict" and type(body) is list:
                out = {}
                for pair in body:
                    if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                        raise ProtocolError("bad dict entry")
                    out[_scrub(pair[0])] = self.value(pair[1], depth + 1)
                return out
        raise ProtocolError("unknown value encoding")


# --------------------------------------------------------------------------- frames


def pack(message: dict) -> bytes:
    """Encode a message (a dict whose values may hold arrays) into one frame."""
    enc = _Encoder()
    msg = {k: enc.value(v) for k, v in message.items()}
    header = json.dumps({"msg": msg, "blobs": [len(b) for b in enc.blobs]}, allow_nan=False).encode()
    if len(header) > MAX_HEADER:
        raise EncodeError("message too large")
    body = b"".join(enc.blobs)
    return _PREFIX.pack(MAGIC, len(header), len(body)) + header + body


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # the encoder sends non-finite floats as {"$f": ...}


def unpack(header: bytes, body: bytes | memoryview) -> dict:
    """Decode a frame's header and body back into a message; anything malformed is a ProtocolError."""
    try:
        outer = json.loads(bytes(header).decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError, int digits, depth
        raise ProtocolError(f"malformed header: {str(exc)[:200]}") from None
    if type(outer) is not dict or type(outer.get("msg")) is not dict or type(outer.get("blobs")) is not list:
        raise ProtocolError("malformed header")
    sizes = outer["blobs"]
    if not all(type(s) is int and s >= 0 for s in sizes) or sum(sizes) != len(body):
        raise ProtocolError("blob sizes do not match the body")
    view = memoryview(body)
    blobs, pos = [], 0
    for size in sizes:
        blobs.append(view[pos:pos + size])
        pos += size
    dec = _Decoder(blobs)
    try:
        return {_scrub(str(k)): dec.value(v) for k, v in outer["msg"].items()}
    except RecursionError:
        raise ProtocolError("value nested too deeply") from None


def write_frame(fd: int, message: dict) -> None:
    write_bytes(fd, pack(message))


def _wait(fd: int, events: int, deadline: float | None, what: str) -> None:
    """Block until ``fd`` is ready for ``events`` (poll: no FD_SETSIZE limit); TimeoutError past ``deadline``."""
    if deadline is None:
        return
    poller = select.poll()
    poller.register(fd, events | select.POLLERR | select.POLLHUP)
    while True:
        wait = deadline - time.monotonic()
        if wait <= 0:
            raise TimeoutError(what)
        if poller.poll(max(1, int(wait * 1000))):
            return


def write_bytes(fd: int, frame: bytes, deadline: float | None = None) -> None:
    """Write a whole frame. With a ``deadline`` the fd must be non-blocking: a peer that stops reading
    (a worker stuck in student code with its pipe full) then costs a TimeoutError, not a hang."""
    data = memoryview(frame)
    while data:
        _wait(fd, select.POLLOUT, deadline, "the other side did not read the frame before the deadline")
        try:
            n = os.write(fd, data)
        except BlockingIOError:
            continue
        data = data[n:]


def _read_exact(fd: int, n: int, deadline: float | None = None) -> memoryview:
    buf = bytearray(n)  # one allocation of the announced size (already checked against the cap)
    view, pos = memoryview(buf), 0
    while pos < n:
        _wait(fd, select.POLLIN, deadline, "no complete frame before the deadline")
        try:
            got = os.readv(fd, [view[pos:pos + (1 << 20)]])
        except BlockingIOError:
            continue
        if not got:
            raise EOFError("stream closed")
        pos += got
    return view


def read_frame(fd: int, max_frame: int = DEFAULT_MAX_FRAME, deadline: float | None = None) -> dict:
    """Read one frame from a file descriptor; EOFError when it closes, TimeoutError past ``deadline``
    (a ``time.monotonic()`` value; None blocks)."""
    magic, hlen, blen = _PREFIX.unpack(bytes(_read_exact(fd, _PREFIX.size, deadline)))
    if magic != MAGIC:
        raise ProtocolError("bad frame magic")
    if hlen > MAX_HEADER or hlen + blen > max_frame:
        raise ProtocolError(f"frame of {hlen + blen} bytes exceeds the cap of {max_frame}")
    return unpack(_read_exact(fd, hlen, deadline), _read_exact(fd, blen, deadline))
