"""Helpers for the import tests: files on disk, and each test run through both engines where it can."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ardesk.imports.report import ImportReport
from ardesk.imports.services import execute

ENGINES = [pytest.param("python", id="python"), pytest.param("sql", id="sql", marks=pytest.mark.postgres)]


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(name, text or bytes, encoding="utf-8") -> the path of a new file."""
    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL engine streams with COPY: PostgreSQL only (CI runs it)")
    return str(request.param)


@pytest.fixture
def run(engine: str, admin_user: Any) -> Callable[..., ImportReport]:
    """run(kind, path, **options): the import through the engine under test, by the administrator."""
    def _run(kind: str, path: Path, **options: Any) -> ImportReport:
        options.setdefault("by", admin_user)
        return execute(kind=kind, path=path, filename=path.name, engine=engine, **options)

    return _run


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"
