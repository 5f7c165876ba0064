"""The hardening campaign attacks the machine's real sandbox, whatever isolation the caller's environment forces."""

from __future__ import annotations

import pytest

from autograder.sandbox.isolation import FORCE_ENV


@pytest.fixture(autouse=True, scope="session")
def _no_forced_isolation():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(FORCE_ENV, raising=False)
        yield
