"""`ardesk disputes files-verify [--remove-strays]`: every document has its file, and no file is left over."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ardesk.audit.services import SystemActor
from ardesk.disputes.services.documents import files_dir, remove_stray_files, verify_files


def files_verify(command: BaseCommand, *, remove_strays: bool = False, quick: bool = False) -> None:
    """Print what is wrong and fail (exit 1) when anything is; `remove_strays` deletes leftover files first."""
    if remove_strays:
        removed = remove_stray_files(by=SystemActor("command:disputes files-verify"))
        command.stdout.write(f"removed {len(removed)} stray file(s) older than an hour")
    report = verify_files(deep=not quick)
    if not report.sound:
        for problem in report.problems()[:100]:
            command.stderr.write(problem)
        raise CommandError(f"document files wrong under {files_dir()}: {len(report.missing)} missing, "
                           f"{len(report.wrong)} with wrong content, {len(report.strays)} stray")
    command.stdout.write(f"document files verified: {report.checked} document(s), each file present with its size"
                         f"{'' if quick else ' and sha256'}; no stray files")
