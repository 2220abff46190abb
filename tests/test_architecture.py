"""The headless core never imports the UI stack; the code stays typed and linted."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT

HEADLESS = [
    "tracetui.model",
    "tracetui.loaders",
    "tracetui.analysis.summary",
    "tracetui.analysis.critical_path",
    "tracetui.analysis.validate",
    "tracetui.reports.summary",
    "tracetui.reports.validate",
    "tracetui.reports.model_json",
    "tracetui.cli",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_modules_import_neither_textual_nor_rich(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"{module} pulled in {done.stdout.strip()}"


def test_every_analysis_and_loader_module_is_checked() -> None:
    for folder in ("loaders", "analysis", "reports"):
        for path in (ROOT / "tracetui" / folder).glob("*.py"):
            if path.stem == "__init__":
                continue
            module = f"tracetui.{folder}.{path.stem}"
            code = (
                f"import sys, importlib; importlib.import_module({module!r}); "
                "print(any(m.split('.')[0] in ('textual', 'rich') for m in sys.modules))"
            )
            done = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            assert done.stdout.strip() == "False", module


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(ROOT / ".venv" / "bin")) or shutil.which(
        name, path=str(__import__("pathlib").Path(sys.executable).parent)
    )
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_ruff_check_is_clean() -> None:
    done = subprocess.run(
        [_tool("ruff"), "check", "tracetui", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    done = subprocess.run(
        [_tool("ruff"), "format", "--check", "tracetui", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean() -> None:
    done = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
