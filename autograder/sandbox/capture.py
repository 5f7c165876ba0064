"""A reader thread that drains a pipe and keeps only its first bytes."""

from __future__ import annotations

import threading
from typing import BinaryIO

TRUNCATION_MARKER = "\n[... output truncated ...]\n"


class CappedReader:
    """Reads `stream` to EOF in a daemon thread, keeping at most `cap` bytes; closes the stream at EOF."""

    def __init__(self, stream: BinaryIO, cap: int, name: str = "sandbox-stderr") -> None:
        self._stream = stream
        self._cap = cap
        self._buf = bytearray()
        self._truncated = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while chunk := self._stream.read(65536):
                with self._lock:
                    room = self._cap - len(self._buf)
                    if room > 0:
                        self._buf += chunk[:room]
                    if len(chunk) > room:
                        self._truncated = True
        except (OSError, ValueError):
            pass
        finally:
            self._stream.close()

    def text(self) -> str:
        """Everything kept so far, decoded leniently, with a marker if bytes were dropped."""
        with self._lock:
            text = self._buf.decode("utf-8", errors="replace")
            return text + TRUNCATION_MARKER if self._truncated else text

    def join(self, timeout: float | None = None) -> bool:
        """Wait for EOF; True when the reader has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
