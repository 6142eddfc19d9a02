"""Imports from the ERP: `run_import` is the one entry point the command, the page and the API call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ardesk.imports.report import ImportReport, Kind, Rejection

__all__ = ["ImportReport", "Kind", "Progress", "Rejection", "run_import"]

# progress(phase, done, total): phase is "reading" (bytes), "checking" or "writing" (steps).
Progress = Callable[[str, int, int], None]


def run_import(*, kind: str, path: Path, filename: str, by: Any, dry_run: bool = False,
               progress: Progress | None = None) -> ImportReport:
    """Validate the whole file, then apply it whole or not at all. Work in progress."""
    raise NotImplementedError("imports are being built")
