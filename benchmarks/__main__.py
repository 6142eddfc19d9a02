"""`make bench`: run every benchmarks/bench_*.py and print one table of figures.

Each module defines `run(args) -> list[Figure]` and runs in a process of its own
(so one module's database or settings never leak into the next). Benchmarks run
against PostgreSQL (BENCH_DATABASE_URL, default a database `ardesk_bench` on the
local server), which they create and fill themselves.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.common import Figure


def _modules(only: str | None) -> list[str]:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    return [n for n in names if not only or only in n]


def _run_here(name: str, args: argparse.Namespace) -> list[Figure]:
    module = importlib.import_module(f"benchmarks.{name}")
    return list(module.run(args))


def _run_apart(name: str, args: argparse.Namespace) -> list[Figure]:
    """One module in a child process; its figures come back as JSON on the last line of stdout."""
    command = [sys.executable, "-m", "benchmarks", "--module", name, "--scale", str(args.scale), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    sys.stderr.write(done.stderr)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        print(f"{name} failed ({done.returncode})", file=sys.stderr)
        return [Figure(f"{name}: FAILED", "-", float("inf"), 0, "s")]
    return [Figure(**row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", help="run only benchmarks whose module name contains this")
    parser.add_argument("--module", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data size (1.0 = full)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ardesk_bench"))
    if args.module:
        figures = _run_here(args.module, args)
        if args.json:
            print(json.dumps([dataclasses.asdict(f) for f in figures]))
            return 0 if all(f.ok for f in figures) else 1
    else:
        figures = []
        for name in _modules(args.only):
            print(f"running {name} …", file=sys.stderr, flush=True)
            figures.extend(_run_apart(name, args))
    table = Table(title="ardesk benchmarks")
    for column in ("benchmark", "data size", "measured", "target", "ok"):
        table.add_column(column)
    for fig in figures:
        table.add_row(fig.name, fig.size, fig.measured_text, fig.target_text, "yes" if fig.ok else "NO")
    Console().print(table)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
