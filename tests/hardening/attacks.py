"""The attack catalogue: hostile submissions of 01-perceptron and what each must (not) achieve.

Each one is graded in one batch with good submissions (tests/hardening/test_attacks.py); every attack
must score 0, be graded in the full sandbox within the time limits, and pass its own ``check``. The 14
cheats of tests/test_cheats.py are not repeated; several attacks here are their harder variants. See
attack_kit.py for how an attack is written.
"""

from __future__ import annotations

from attack_kit import Attack, Outcome, fill, write_files
from attacks_forge import FORGE
from attacks_host import HOST
from attacks_system import SYSTEM

CATALOGUE: list[Attack] = [*FORGE, *HOST, *SYSTEM]
assert len({a.name for a in CATALOGUE}) == len(CATALOGUE)

__all__ = ["CATALOGUE", "Attack", "Outcome", "fill", "write_files"]
