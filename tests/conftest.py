from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bundles import REPO

CLI = REPO / ".venv" / "bin" / "milkprint"


@pytest.fixture
def cli():
    """Run the real CLI in a subprocess; returns (exit code, stdout, stderr)."""

    def invoke(*args: str | Path, lang: str | None = None) -> tuple[int, str, str]:
        env = dict(os.environ)
        if lang:
            env["MILKPRINT_LANG"] = lang
        exe = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "milkprint.cli"]
        proc = subprocess.run([*exe, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr

    return invoke
