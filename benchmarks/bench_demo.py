"""`make demo`'s load on SQLite: `ardesk demo load --size small` in a fresh database, target 30 s.

Runs the real command in a child process against a throw-away SQLite file
(migrated first, not timed), so the figure includes starting Django and the
commit, as a user waiting for `make demo` sees it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure

TARGET_S = 30.0


def run(args: argparse.Namespace) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="ardesk-bench-demo-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.sqlite3'}", "ARDESK_VAR_DIR": tmp,
               "DJANGO_SETTINGS_MODULE": "ardesk.settings"}
        command = [sys.executable, "-m", "ardesk"]
        subprocess.run([*command, "migrate", "--no-input", "-v0"], env=env, check=True)  # noqa: S603
        start = time.perf_counter()
        subprocess.run([*command, "demo", "load", "--size", "small", "-v0"], env=env, check=True,  # noqa: S603
                       stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
    return [Figure("make demo: demo load --size small (SQLite)", "200 customers / 8,000 invoices", seconds,
                   TARGET_S, "s")]
