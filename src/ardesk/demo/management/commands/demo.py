"""`ardesk demo load`: fill the database with the demo company and print who can sign in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ardesk.audit.services import SystemActor
from ardesk.demo.plan import DEFAULT_SEED, SIZES, plan_for
from ardesk.demo.services import DemoResult, load_demo
from ardesk.errors import DomainError


class Command(BaseCommand):
    help = ("Demo data. `load` fills the database with a demo company: customers in six currencies, "
            "18 months of invoices, payments, credit memos, write-offs, FX rates, and demo users.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--size", choices=list(SIZES), help="small (200 customers, 8,000 invoices, the default), "
                          "medium (5,000 / 100,000) or large (100,000 / 1,000,000)")
        size.add_argument("--invoices", type=int, help="this many invoices instead of a named size")
        parser.add_argument("--customers", type=int, help="this many customers (default: a tenth of the invoices)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"same seed, same data (default "
                            f"{DEFAULT_SEED})")
        parser.add_argument("--as-of", type=date.fromisoformat, help="the demo's today, YYYY-MM-DD (default: today)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when customers already exist")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_for(size=options["size"], invoices=options["invoices"], customers=options["customers"],
                            seed=options["seed"], today=options["as_of"] or timezone.localdate(),
                            company_currency=settings.ARDESK_COMPANY_CURRENCY)
            if options["verbosity"] >= 1:
                self.stdout.write(f"loading the demo company: {plan.customers:,} customers, "
                                  f"{plan.invoices:,} invoices, seed {plan.seed}, up to {plan.today}")
            result = load_demo(plan=plan, by=SystemActor("demo loader"), if_empty=options["if_empty"],
                               progress=self._progress if options["verbosity"] >= 2 or plan.invoices >= 100_000
                               else None)
        except DomainError as error:
            raise CommandError(error.message) from error
        if result is None:
            self.stdout.write("customers already exist: demo data not loaded (--if-empty)")
            return
        self._report(result)

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"  {done:,} / {total:,} invoices")

    def _report(self, result: DemoResult) -> None:
        counts = result.counts
        self.stdout.write(self.style.SUCCESS(
            f"demo company loaded in {result.seconds:,.1f} s: {counts['customers.customer']:,} customers, "
            f"{counts['ledger.invoice']:,} invoices ({counts['ledger.invoiceline']:,} lines), "
            f"{counts['ledger.payment']:,} payments, {counts['ledger.application']:,} applications, "
            f"{counts['ledger.creditmemo']:,} credit memos, {counts['ledger.writeoff']:,} write-offs, "
            f"{counts['ledger.fxrate']:,} FX rates"))
        self.stdout.write("")
        self.stdout.write(f"Demo users (the password of every one is {result.users[0].password}):")
        self.stdout.write(f"  {'username':<10} {'role':<24} {'team':<17} {'password':<18} MFA secret (base32)")
        for user in result.users:
            self.stdout.write(f"  {user.username:<10} {user.role:<24} {user.team or '-':<17} {user.password:<18} "
                              f"{user.mfa_secret or '-'}")
        self.stdout.write("")
        self.stdout.write(
            "Managers and the administrator sign in with a second factor: add their base32 secret to any TOTP "
            "authenticator app (Aegis, FreeOTP, Google Authenticator, 1Password, …) as a time-based key, "
            "and enter the 6-digit code it shows after the password.")
