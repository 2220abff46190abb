"""Running the real command line in a subprocess, as a user or a script would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from tests.helpers import ROOT


@dataclass
class Run:
    """What one command printed and returned."""

    code: int
    out: str
    err: str


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``python -m tracetui ARGS`` and capture everything."""
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    environment.pop("TRACETUI_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "tracetui", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))
