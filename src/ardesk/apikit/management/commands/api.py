"""`ardesk api purge-keys --days N`: forget Idempotency-Key responses older than N days (default 30)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ardesk.apikit.services import purge_idempotency_keys
from ardesk.audit.services import SystemActor


class Command(BaseCommand):
    help = "API housekeeping: purge-keys forgets the responses kept for old Idempotency-Keys."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        purge = actions.add_parser("purge-keys", help="forget Idempotency-Key responses older than --days")
        purge.add_argument("--days", type=int, default=30, help="keep the keys of the last DAYS days (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(1, options["days"])
        deleted = purge_idempotency_keys(older_than=timezone.now() - timedelta(days=days),
                                         by=SystemActor("ardesk api purge-keys"))
        self.stdout.write(f"forgot {deleted} Idempotency-Key response(s) older than {days} day(s)")
