"""`make bench`: run every benchmarks/bench_*.py and print one table of figures.

Each module defines `run(args) -> list[Figure]`. Benchmarks run against
PostgreSQL (BENCH_DATABASE_URL, default a database `ardesk_bench` on the
local server), which they create and fill themselves.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.common import Figure


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", help="run only benchmarks whose module name contains this")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data size (1.0 = full)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ardesk_bench"))
    figures: list[Figure] = []
    here = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (args.only and args.only not in info.name):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        print(f"running {info.name} …", file=sys.stderr, flush=True)
        figures.extend(module.run(args))
    table = Table(title="ardesk benchmarks")
    for column in ("benchmark", "data size", "measured", "target", "ok"):
        table.add_column(column)
    for fig in figures:
        table.add_row(fig.name, fig.size, fig.measured_text, fig.target_text, "yes" if fig.ok else "NO")
    Console().print(table)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
