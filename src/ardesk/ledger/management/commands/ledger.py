"""`ardesk ledger verify`: prove every cached balance against the entries behind it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ardesk.ledger.queries import cache_mismatches


class Command(BaseCommand):
    help = "Ledger tools. `verify` recomputes every cached open and unapplied amount from its entries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = cache_mismatches()
        if mismatches:
            for item in mismatches[:100]:
                self.stderr.write(str(item))
            raise CommandError(f"ledger caches wrong: {len(mismatches)} mismatch(es)")
        self.stdout.write("ledger verified: every cached balance matches its entries")
