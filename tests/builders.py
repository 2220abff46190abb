"""Small traces made in tests, written in a real dialect and loaded through the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tracetui.loaders import load_bytes
from tracetui.model import Trace

START = 1_795_000_000.0


@dataclass
class N:
    """A Victor node: id, duration, success, error and tool calls (name, seconds, success)."""

    id: str
    seconds: float
    ok: bool = True
    error: str | None = None
    tools: list[tuple[str, float, bool]] = field(default_factory=list)


def victor_doc(nodes: list[N], name: str = "wf", start: float = START) -> dict[str, Any]:
    """A WorkflowTracer export whose nodes run one after the other."""
    clock = start
    rendered = []
    for node in nodes:
        rendered.append(
            {
                "node_id": node.id,
                "node_type": "compute",
                "timestamp": clock,
                "duration_seconds": node.seconds,
                "success": node.ok,
                "error": node.error if not node.ok else None,
                "inputs": {},
                "outputs": None,
                "tool_calls": [
                    {
                        "tool_name": t,
                        "duration_seconds": s,
                        "success": ok,
                        "error": None if ok else "x",
                    }
                    for t, s, ok in node.tools
                ],
            }
        )
        clock += node.seconds
    return {
        "trace_id": f"{name}-{start}",
        "workflow_name": name,
        "start_time": start,
        "end_time": clock,
        "duration_seconds": clock - start,
        "inputs": {},
        "outputs": None,
        "metadata": {},
        "nodes": rendered,
    }


def victor(nodes: list[N], name: str = "wf", start: float = START) -> Trace:
    """The trace loaded from a made WorkflowTracer export."""
    return load_bytes(orjson.dumps(victor_doc(nodes, name, start)), f"{name}.json").traces[0]


def write_victor(path: Path, nodes: list[N], name: str = "wf", start: float = START) -> Path:
    """Write a made WorkflowTracer export to a file."""
    path.write_bytes(orjson.dumps(victor_doc(nodes, name, start)))
    return path
