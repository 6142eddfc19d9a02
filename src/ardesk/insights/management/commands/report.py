"""`ardesk report aging`: the aging report on the command line, for any past date. The command line sees all
customers (no user scope)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ardesk.errors import DomainError
from ardesk.insights import dispute_formats, formats
from ardesk.insights.dispute_report import ReportKind, parse_period
from ardesk.insights.dispute_tables import dispute_report
from ardesk.insights.queries import aging_report, source_for
from ardesk.insights.report import Format, Grouping, parse_as_of, parse_choice


class Command(BaseCommand):
    help = (
        "Reports. `report aging --as-of YYYY-MM-DD [--by customer|collector|team|segment|country|currency] "
        "[--format table|csv|xlsx|json] [--output FILE]`: open money by days past due, in the company currency. "
        "`report disputes NAME [--as-of] [--raised-from] [--raised-to] [--format] [--output]`: a dispute report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["aging", "disputes"], help="which report")
        parser.add_argument("name", nargs="?", help="for `disputes`: " + ", ".join(k.value for k in ReportKind))
        parser.add_argument("--raised-from", metavar="YYYY-MM-DD", help="disputes: first raise date (12 months back)")
        parser.add_argument("--raised-to", metavar="YYYY-MM-DD", help="disputes: last raise date (the as-of date)")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD",
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
        if options["report"] == "disputes":
            self._disputes(options)
            return
        if not options["as_of"]:
            raise CommandError("report aging needs --as-of YYYY-MM-DD")
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
        self._write(content, options["output"], f"aging as of {as_of} by {by.value}: {len(report.rows)} row(s)")

    def _disputes(self, options: dict[str, Any]) -> None:
        """`report disputes NAME`: one dispute report over every customer, as a table, CSV, XLSX or JSON."""
        try:
            kind = parse_choice(ReportKind, options["name"], field="report", default=ReportKind.BY_REASON)
            if not options["name"]:
                raise DomainError("name the report: " + ", ".join(k.value for k in ReportKind), field="report")
            period = parse_period(options["as_of"], options["raised_from"], options["raised_to"],
                                  today=timezone.localdate())
            fmt = parse_choice(Format, options["format"], field="format", default=Format.TABLE)
            if fmt is Format.XLSX and not options["output"]:
                raise DomainError("format xlsx writes a workbook: give --output FILE", field="output")
            table = dispute_report(kind, period=period, user=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if fmt is Format.XLSX:
            content: str | bytes = dispute_formats.as_xlsx(table)
        elif fmt is Format.CSV:
            content = dispute_formats.as_csv(table)
        elif fmt is Format.JSON:
            content = json.dumps(dispute_formats.as_json(table), indent=2) + "\n"
        else:
            content = dispute_formats.as_table(table)
        self._write(content, options["output"], f"{kind.value}: {len(table.rows)} row(s)")

    def _write(self, content: str | bytes, output: str | None, what: str) -> None:
        if not output:
            self.stdout.write(content if isinstance(content, str) else content.decode(), ending="")
            return
        try:
            path = Path(output)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{what} written to {output}")
