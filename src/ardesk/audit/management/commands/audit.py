"""`ardesk audit verify`: walk the hash chain and report any altered or missing event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ardesk.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        count, breaks = verify_chain()
        if breaks:
            for item in breaks:
                self.stderr.write(str(item))
            raise CommandError(f"audit log broken: {len(breaks)} problem(s) in {count} event(s)")
        self.stdout.write(f"audit log intact: {count} event(s), chain verified")
