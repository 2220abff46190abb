"""Each bundled sample against its golden canonical dump: any change to what a loader makes of
real output shows up here as a diff. Regenerate after a deliberate change with
``TRACETUI_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from tests.helpers import ROOT, SAMPLES, trace_files
from tracetui.loaders import load_bytes
from tracetui.reports.model_json import traceset_dict

GOLDEN = ROOT / "tests" / "golden"
UPDATE = bool(os.environ.get("TRACETUI_UPDATE_GOLDEN"))


def canonical(path: Path) -> bytes:
    relative = path.relative_to(SAMPLES).as_posix()
    traces = load_bytes(path.read_bytes(), f"sample_traces/{relative}")
    return (
        orjson.dumps(
            traceset_dict(traces, raw=False),
            option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
            default=str,
        )
        + b"\n"
    )


@pytest.mark.parametrize("path", trace_files(SAMPLES), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_loader_output_matches_its_golden_dump(path: Path) -> None:
    golden = GOLDEN / f"{path.relative_to(SAMPLES).as_posix()}.json"
    dump = canonical(path)
    if UPDATE or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(dump)
        if not UPDATE:
            pytest.fail(f"wrote the missing golden dump {golden.name}; commit it")
    assert dump == golden.read_bytes(), f"{path.name} loads differently from {golden}"
