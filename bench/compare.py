"""Whole load against ``orjson.loads``, for this checkout and another one, taken in turns.

    python -m bench.compare BASELINE_DIR [--repeat 3] [FILE ...]

BASELINE_DIR is another source tree of tracetui (``git worktree add /tmp/base <commit>``).
Each round measures every file once with each tree, alternately, each in a fresh process
(``orjson.loads`` of the bytes, then tracetui's whole load, the collector paused): on a machine
whose speed moves by half within an hour, turns taken side by side are what can be compared.
Prints the median ratio to the floor for each tree. The files default to the 100k-node bench
files in ``bench/out`` (``python -m bench.run`` makes them).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
OUT = HERE / "bench" / "out"

# Self-contained, not ``bench.measure``: it runs on the baseline tree, whose bench may differ.
_MEASURE = r"""
import gc, sys, time
from pathlib import Path
import orjson
from tracetui.loaders import load_path
path = Path(sys.argv[1])
data = path.read_bytes()
gc.disable()
begin = time.perf_counter()
if path.suffix == ".jsonl":
    value = [orjson.loads(line) for line in data.splitlines() if line]
else:
    value = orjson.loads(data)
loads = time.perf_counter() - begin
del value
begin = time.perf_counter()
load_path(str(path))
print(loads, time.perf_counter() - begin)
"""


def ratio(tree: Path, path: Path) -> float:
    """Whole load over ``orjson.loads`` of one file, with the tracetui of ``tree``."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )
    loads, load = (float(word) for word in done.stdout.split())
    return load / loads


def main() -> None:
    """Measure in turns; print a markdown table of median ratios."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("baseline", type=Path, help="another tracetui source tree")
    parser.add_argument("files", nargs="*", type=Path, help="trace files")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_intermixed_args()  # options may come between the paths
    # Absolute: each measurement runs in the tree it measures.
    files = [path.resolve() for path in args.files] or sorted(OUT.glob("*_100000_s1.json*"))
    trees = {"baseline": args.baseline.resolve(), "this": HERE}
    ratios: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for path in files:
            for name, tree in trees.items():
                ratios.setdefault((path.name, name), []).append(ratio(tree, path))
    print("| file | baseline: load / loads | this: load / loads |")
    print("|---|---|---|")
    for path in files:
        old = statistics.median(ratios[(path.name, "baseline")])
        new = statistics.median(ratios[(path.name, "this")])
        print(f"| {path.name} | {old:.1f}x | {new:.1f}x |")


if __name__ == "__main__":
    main()
