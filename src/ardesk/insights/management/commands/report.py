"""`ardesk report aging`: the aging report on the command line, for any past date. The command line sees all
customers (no user scope)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ardesk.errors import DomainError
from ardesk.insights import formats
from ardesk.insights.queries import aging_report, source_for
from ardesk.insights.report import Format, Grouping, parse_as_of, parse_choice


class Command(BaseCommand):
    help = (
        "Reports. `report aging --as-of YYYY-MM-DD [--by customer|collector|team|segment|country|currency] "
        "[--format table|csv|xlsx|json] [--output FILE]`: open money by days past due, in the company currency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["aging"], help="which report")
        parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                            help="the date the aging is reproduced for (a past date is rebuilt from dated entries)")
        parser.add_argument("--by", default=Grouping.CUSTOMER.value,
                            help="group rows by: " + ", ".join(g.value for g in Grouping))
        parser.add_argument("--format", default=Format.TABLE.value,
                            help="output format: " + ", ".join(f.value for f in Format))
        parser.add_argument("--output", metavar="FILE", help="write to FILE instead of the terminal")
        parser.add_argument("--from-entries", action="store_true",
                            help="for a past date, rebuild from invoice amounts and dated entries alone, without "
                                 "the cached open amounts (slower; the same figures while `ledger verify` passes)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_as_of(options["as_of"], today=timezone.localdate())
            by = parse_choice(Grouping, options["by"], field="by", default=Grouping.CUSTOMER)
            fmt = parse_choice(Format, options["format"], field="format", default=Format.TABLE)
            if fmt is Format.XLSX and not options["output"]:
                raise DomainError("format xlsx writes a workbook: give --output FILE", field="output")
            today = timezone.localdate()
            source = source_for(as_of, today=today, from_entries=options["from_entries"])
            report = aging_report(as_of=as_of, by=by, user=None, today=today, source=source)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if fmt is Format.XLSX:
            content: str | bytes = formats.as_xlsx(report)
        elif fmt is Format.CSV:
            content = formats.as_csv(report)
        elif fmt is Format.JSON:
            content = json.dumps(formats.as_json(report), indent=2) + "\n"
        else:
            content = formats.as_table(report)
        output = options["output"]
        if not output:
            self.stdout.write(str(content), ending="")
            return
        try:
            path = Path(output)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc
        self.stdout.write(f"aging as of {as_of} by {by.value}: {len(report.rows)} row(s) written to {output}")
