"""`ardesk import <kind> FILE`: import a CSV or XLSX file from the ERP, with a progress bar and a summary.

Exits 0 when the file was applied (or changed nothing, or was only checked),
1 when anything was rejected (each rejection is printed: row, column, value,
reason) and 2 when the command itself was misused.
"""

from __future__ import annotations

import getpass
import io
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ardesk.audit.services import SystemActor
from ardesk.identity.models import User
from ardesk.identity.roles import Permission
from ardesk.imports.report import ImportReport, Kind, Status
from ardesk.imports.services import execute

_PHASES = {"reading": "Reading and checking rows", "checking": "Checking against ardesk", "writing": "Writing"}


class Command(BaseCommand):
    help = "Import customers, contacts, invoices, invoice lines, credit memos, payments or FX rates from a file."
    # The system checks load every URL and API schema: seconds an import does not need.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[k.value for k in Kind])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the whole file, write nothing")
        parser.add_argument("--user", help="the ardesk user to record as the importer (must be allowed to import)")
        parser.add_argument("--engine", choices=["sql", "python"],
                            help="force an engine (default: sql on PostgreSQL, python elsewhere)")

    def _actor(self, username: str | None) -> Any:
        if not username:
            return SystemActor(f"import command ({getpass.getuser()})")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}", returncode=2)
        if not user.may(Permission.IMPORT):
            raise CommandError(f"user {username!r} ({user.role_label}) may not import", returncode=2)
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        actor = self._actor(options.get("user"))
        console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task(_PHASES["reading"], total=path.stat().st_size)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=_PHASES.get(phase, phase), completed=done, total=total or None)

            report = execute(kind=options["kind"], path=path, filename=path.name, by=actor,
                             dry_run=options["dry_run"], progress=progress, engine=options.get("engine"))
        buffer = io.StringIO()
        self._print(Console(file=buffer, width=max(100, shutil.get_terminal_size((120, 24)).columns)), report)
        self.stdout.write(buffer.getvalue(), ending="")
        if report.status is Status.REJECTED:
            raise SystemExit(1)

    def _print(self, out: Console, report: ImportReport) -> None:
        for warning in report.warnings:
            out.print(f"[yellow]warning:[/] {warning}")
        if report.rejections:
            title = f"Rejections: {report.rejection_count:,}"
            if report.rejected:
                title += f" in {report.rejected:,} row(s)"
            if report.truncated:
                title += f"; the first {len(report.rejections):,} are listed"
            table = Table(title=title)
            for column in ("row", "column", "value", "reason"):
                table.add_column(column, overflow="fold")
            for r in report.rejections:
                table.add_row(str(r.row) if r.row else "file", "(whole row)" if r.column == "*" else r.column,
                              r.value, r.reason)
            out.print(table)
        verdict = {Status.APPLIED: f"[green]applied[/] as import batch #{report.batch_id}",
                   Status.UNCHANGED: "nothing to change: every row already matches",
                   Status.DRY_RUN: "[cyan]dry run[/]: checked, nothing written",
                   Status.REJECTED: "[red]rejected[/]: nothing was imported"}[report.status]
        out.print(f"{report.kind} from {report.filename}: {verdict}")
        out.print(f"created {report.created:,}  updated {report.updated:,}  unchanged {report.unchanged:,}  "
                  f"rejected {report.rejected:,}  ({report.rows:,} rows in {report.seconds:.1f} s)")
