"""Screenshots with Debian's headless chromium, saved under build/screenshots/ (git-ignored)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "Debian's chromium is not installed (apt-get install chromium)"


def screenshot(url: str, name: str, profile: Path, size: str = "1100,1400", wait_ms: int = 0) -> Path:
    """Render ``url`` into ``build/screenshots/<name>`` (``wait_ms``: virtual time for the page's scripts)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / name
    shot.unlink(missing_ok=True)
    budget = [f"--virtual-time-budget={wait_ms}"] if wait_ms else []
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={size}", *budget,
         f"--screenshot={shot}", url],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 20_000, f"{shot}: blank or missing"  # a rendered page
    return shot
