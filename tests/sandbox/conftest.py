"""Sandbox tests start from the machine's real isolation level, whatever the caller's environment forces."""

from __future__ import annotations

import pytest

from autograder.sandbox.isolation import FORCE_ENV


@pytest.fixture(autouse=True)
def _no_forced_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORCE_ENV, raising=False)
