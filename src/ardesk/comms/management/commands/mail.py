"""`ardesk mail ingest FILE.eml…` and `ardesk mail fetch`: inbound mail from files or the IMAP mailbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ardesk.audit.services import SystemActor
from ardesk.comms.mailbox import fetch_mailbox
from ardesk.comms.services import receive_email
from ardesk.errors import DomainError


class Command(BaseCommand):
    help = ("Inbound mail. `ingest FILE.eml…` files each mail (threads a reply, raises a dispute, or keeps it as "
            "unmatched); `fetch` does the same for the unseen mail of the IMAP mailbox (ARDESK_IMAP_*).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["ingest", "fetch"])
        parser.add_argument("files", nargs="*", help="the .eml files to ingest")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fetch":
            try:
                report = fetch_mailbox(by=SystemActor("command:mail fetch"))
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(str(report))
            return
        if not options["files"]:
            raise CommandError("name the .eml files to ingest")
        failures = 0
        for name in options["files"]:
            failures += not self._ingest(Path(name))
        if failures:
            raise CommandError(f"{failures} of {len(options['files'])} file(s) not ingested")

    def _ingest(self, path: Path) -> bool:
        try:
            message, new = receive_email(path.read_bytes(), source=f"file:{path.name}",
                                         by=SystemActor("command:mail ingest"))
        except OSError as exc:
            self.stderr.write(f"{path}: cannot read it ({exc.strerror or exc})")
            return False
        except DomainError as exc:
            self.stderr.write(f"{path}: {exc.message}")
            return False
        where = message.dispute.number if message.dispute else "no dispute"
        why = f" — {message.note}" if message.note and message.status == "unmatched" else ""
        self.stdout.write(f"{path}: {message.get_status_display().lower()} ({where})"
                          f"{'' if new else ', already kept: nothing changed'}{why}")
        return True
