"""What every benchmark shares: a figure with its data size and target, and a Django set-up on PostgreSQL."""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    size: str
    measured: float
    target: float
    unit: str  # "s", "ms" or "MB"

    @property
    def ok(self) -> bool:
        return self.measured <= self.target

    @property
    def measured_text(self) -> str:
        return f"{self.measured:,.1f} {self.unit}" if self.unit != "ms" else f"{self.measured:,.0f} ms"

    @property
    def target_text(self) -> str:
        return f"≤ {self.target:,.0f} {self.unit}"


def setup_django() -> None:
    """Point Django at the benchmark database (created if missing) and migrate it."""
    import django
    import psycopg
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ardesk.settings")
    # Documents and mail the benchmarks keep go to a scratch folder, never into the checkout.
    os.environ.setdefault("ARDESK_FILES_DIR", tempfile.mkdtemp(prefix="ardesk-bench-files-"))
    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time in milliseconds over `repeat` runs, after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)
