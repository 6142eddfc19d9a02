"""`ardesk disputes train|verify|resplit|suggest|files-verify|escalate`: the reason-code model, the checks, the
rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ardesk.audit.services import SystemActor, record
from ardesk.disputes import sku_split
from ardesk.disputes.classify import NotEnoughExamples
from ardesk.disputes.management.escalate import escalate
from ardesk.disputes.management.files_verify import files_verify
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.disputes.services import suggest_reason, train_reason_model


class Command(BaseCommand):
    help = ("Disputes tools. `train` retrains the reason-code suggester on resolved disputes; `verify` checks "
            "every invoice's disputed amount against its open disputes and the stored SKU split against the "
            "invoices' lines; `resplit` brings that split up to date; `suggest TEXT` shows the suggestion; "
            "`files-verify` checks every document's file (size, sha256) and lists stray files; `escalate` runs the "
            "escalation and auto-resolution rules now.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["train", "verify", "resplit", "suggest", "files-verify", "escalate"])
        parser.add_argument("text", nargs="?", default="", help="the description to classify (suggest)")
        parser.add_argument("--remove-strays", action="store_true", help="files-verify: delete leftover files first")
        parser.add_argument("--quick", action="store_true", help="files-verify: check sizes, not sha256")
        parser.add_argument("--today", help="escalate: evaluate as of this date (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "train":
            self._train()
        elif action == "verify":
            self._verify()
        elif action == "resplit":
            self._resplit()
        elif action == "escalate":
            escalate(self, today=options["today"])
        elif action == "files-verify":
            files_verify(self, remove_strays=options["remove_strays"], quick=options["quick"])
        else:
            self._suggest(options["text"])

    def _train(self) -> None:
        try:
            row = train_reason_model(by=SystemActor("command:disputes train"))
        except NotEnoughExamples as exc:
            self.stdout.write(f"not trained: {exc.message}; suggestions keep using the keyword lists")
            return
        self.stdout.write(
            f"reason model {row.pk} trained on {row.examples} resolved disputes of {len(row.classes)} reason codes; "
            f"on {row.held_out} held out: model {row.model_accuracy:.1%}, keywords {row.keyword_accuracy:.1%}")

    def _verify(self) -> None:
        mismatches = disputed_cache_mismatches()
        if mismatches:
            for item in mismatches[:100]:
                self.stderr.write(str(item))
            raise CommandError(f"disputed amounts wrong: {len(mismatches)} mismatch(es)")
        stale = sku_split.stale_count()
        if stale:
            raise CommandError(f"SKU split out of date: {stale} share row(s) differ from the invoices' lines "
                               "(the report by SKU reads them); `ardesk disputes resplit` rewrites them")
        self.stdout.write("disputes verified: every invoice's disputed amount matches its open disputes, and every "
                          "dispute item's SKU split matches its invoice's lines")

    def _resplit(self) -> None:
        with transaction.atomic():
            written = sku_split.resplit_all()
            if written:
                record(actor=SystemActor("command:disputes resplit"), verb="disputes.resplit",
                       subject=("disputes.itemskushare", 0), after={"rows_written": written},
                       reason="the stored SKU split differed from the invoices' lines")
        self.stdout.write(f"SKU split up to date: {written} share row(s) written")

    def _suggest(self, text: str) -> None:
        if not text.strip():
            raise CommandError("give the description to classify")
        found = suggest_reason(text)
        if found is None:
            self.stdout.write("no suggestion")
            return
        reason, suggestion = found
        self.stdout.write(f"{reason.code} ({reason.label}), confidence {suggestion.confidence}, "
                          f"from {suggestion.source}")
