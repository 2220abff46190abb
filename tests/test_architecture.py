"""The headless core never imports the UI stack; the code stays typed and linted."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

# Each package's floor, top to bottom: a module may import its own package and the floors
# below it, never a floor above or a different package on the same floor.
LAYERS: dict[str, int] = {
    "tracetui.cli": 7,
    "tracetui.__main__": 7,
    "tracetui.app": 6,
    "tracetui.reports": 5,
    "tracetui.view": 5,
    "tracetui.inputs": 4,
    "tracetui.analysis": 3,
    "tracetui.loaders": 2,
    "tracetui.source": 2,
    "tracetui.formats": 1,
    # The base: the model and the vocabulary every floor shares.
    "tracetui.model": 0,
    "tracetui.errors": 0,
    "tracetui.text": 0,
    "tracetui.display": 0,
    "tracetui.runfilter": 0,
    "tracetui.atomic": 0,
    "tracetui": 0,
}
# Modules that belong with a package on their floor (the loaders read through source.py).
SAME_PACKAGE = {"tracetui.source": "tracetui.loaders", "tracetui.__main__": "tracetui.cli"}
UI_PACKAGES = ("textual", "rich")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def package_of(module: str) -> str:
    """The entry of LAYERS a module belongs to (the longest matching prefix)."""
    found = max(
        (name for name in LAYERS if module == name or module.startswith(name + ".")),
        key=len,
        default=None,
    )
    assert found is not None, f"{module} is on no floor: add it to LAYERS"
    return SAME_PACKAGE.get(found, found)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


SOURCES = sorted((ROOT / "tracetui").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=module_name)
def test_imports_flow_one_way(path: Path) -> None:
    module = module_name(path)
    home = package_of(module)
    for imported in imports_of(path):
        if imported.split(".")[0] in UI_PACKAGES:
            assert LAYERS[home] >= LAYERS["tracetui.app"], f"{module} imports {imported}"
            continue
        if not imported.startswith("tracetui"):
            continue
        there = package_of(imported)
        if there == home or LAYERS[there] == 0:
            continue
        assert LAYERS[there] < LAYERS[home], f"{module} ({home}) imports {imported} ({there})"


def test_every_package_is_on_a_floor() -> None:
    for path in SOURCES:
        package_of(module_name(path))


@pytest.mark.parametrize("module", ["tracetui.cli", "tracetui.inputs.start", "tracetui.view.rows"])
def test_headless_commands_start_without_the_ui(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"{module} pulled in {done.stdout.strip()}"


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
    done = subprocess.run(
        [_tool("mypy"), "tracetui", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
