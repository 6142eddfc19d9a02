"""The portable engine: checks and writes row by row through the ORM, on any database.

SQLite uses it for every file; on PostgreSQL engine_sql does the same work
set-based. Both take their rules and their reasons from validation.py and
derive.py, and the tests run both against the same files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone

from ardesk.audit.services import EventSpec, record_many
from ardesk.customers.models import Customer
from ardesk.imports import derive
from ardesk.imports import validation as v
from ardesk.imports.models import ImportBatch
from ardesk.imports.parallel import Done
from ardesk.imports.report import Kind, Rejections
from ardesk.imports.targets import REFERENCE_MODELS, Ref, Target, change_of
from ardesk.ledger.models import Application, Source
from ardesk.money import round_money

CHUNK = 500


def _chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


@dataclass(frozen=True)
class NewParent:
    """A parent that is a new customer of the same file: it has no id until the file is written."""

    number: str


@dataclass
class Update:
    row: v.Row
    old: models.Model
    before: dict[str, Any]
    new: dict[str, Any]


class PythonEngine:
    name = "python"

    def __init__(self, *, target: Target, present: set[str], rejections: Rejections, today: date) -> None:
        self.target, self.spec, self.kind = target, target.spec, target.spec.kind
        self.present, self.rejections, self.today = present, rejections, today
        self.rows: list[v.Row] = []
        self.ids: dict[str, dict[Any, Any]] = {}  # column -> {value: id}
        self.invoice_currency: dict[str, str] = {}
        self.creates: list[tuple[v.Row, dict[str, Any]]] = []
        self.updates: list[Update] = []
        self.unchanged = 0
        self._new_ids: dict[str, int] = {}  # customer number -> id of parents created by this file

    def ingest(self, rows: Iterable[v.Row], parallel: Callable[[], Iterator[Done]] | None = None) -> int:
        """Keep every row in memory (this engine is for files a database without COPY can take)."""
        self.rows = list(rows)
        return len(self.rows)

    # --- checks ------------------------------------------------------------------------------

    def check(self) -> None:
        v.find_duplicates(self.spec, self.rows, self.rejections)
        for ref in self.target.refs:
            if ref.column in self.present:
                self._resolve(ref)
        if self.kind is Kind.CUSTOMERS and "parent_number" in self.present:
            existing = dict(Customer.objects.filter(parent__isnull=False).values_list("number", "parent__number"))
            for row_no, parent, reason in v.parent_problems(v.file_parents_of(self.rows), existing.get):
                self.rejections.add(row_no, "parent_number", parent, reason)
        if self.kind is Kind.INVOICE_LINES:
            self._check_line_tax()
        if self.kind is Kind.CREDIT_MEMOS:
            self._check_memo_invoice()
        self._plan()

    def _resolve(self, ref: Ref) -> None:
        model, field = REFERENCE_MODELS[ref.target]
        wanted = sorted({row.values[ref.column] for row in self.rows if row.values.get(ref.column) is not None})
        found: dict[Any, Any] = {}
        for chunk in _chunks(wanted):
            query = model.objects.filter(**{f"{field}__in": chunk})  # type: ignore[attr-defined]
            if ref.target == "invoice":
                for number, pk, currency in query.values_list(field, "pk", "currency"):
                    found[number] = pk
                    self.invoice_currency[number] = currency
            else:
                found.update(query.values_list(field, "pk"))
        self.ids[ref.column] = found
        in_file: set[str] = set()
        if ref.column == "parent_number":
            in_file = {r.values["customer_number"] for r in self.rows if r.values.get("customer_number") is not None}
        for row in self.rows:
            value = row.values.get(ref.column)
            if value is not None and value not in found and value not in in_file:
                self.rejections.add(row.row, ref.column, value,
                                    v.unknown_reference(ref.target, value, in_file_too=ref.column == "parent_number"))

    def _check_line_tax(self) -> None:
        for row in self.rows:
            tax, invoice = row.values.get("tax_amount"), row.values.get("invoice_number")
            if tax is not None and invoice in self.invoice_currency:
                reason = v.line_tax_reason(tax, self.invoice_currency[invoice])
                if reason:
                    self.rejections.add(row.row, "tax_amount", tax, reason)

    def _check_memo_invoice(self) -> None:
        for row in self.rows:
            invoice, currency = row.values.get("invoice_number"), row.values.get("currency")
            if currency is not None and invoice in self.invoice_currency and self.invoice_currency[invoice] != currency:
                self.rejections.add(row.row, "invoice_number", invoice,
                                    v.currency_clash_reason(invoice, self.invoice_currency[invoice], currency))

    def _ref_id(self, ref: Ref, value: Any) -> Any:
        if value is None:
            return None
        found = self.ids[ref.column].get(value)
        return NewParent(value) if found is None and ref.column == "parent_number" else found

    def _key(self, row: v.Row) -> tuple[Any, ...]:
        parts = []
        for name in self.spec.key:
            ref = self.target.ref_for(name)
            parts.append(self._ref_id(ref, row.values[name]) if ref else row.values[name])
        return tuple(parts)

    def _existing(self, keys: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], models.Model]:
        first = self.target.key_fields[0]
        related = ["customer"] if any(r.field == "customer_id" for r in self.target.refs) else []
        found: dict[tuple[Any, ...], models.Model] = {}
        for chunk in _chunks(sorted({k[0] for k in keys})):
            query = self.target.model.objects.filter(**{f"{first}__in": chunk})  # type: ignore[attr-defined]
            for obj in query.select_related(*related):
                key = tuple(getattr(obj, f) for f in self.target.key_fields)
                if self.kind is Kind.CONTACTS:
                    key = (key[0], key[1].lower())
                found[key] = obj
        return found

    def _values(self, row: v.Row, old: models.Model | None) -> dict[str, Any]:
        """The model fields the row sets: all of them for a new row, the file's columns for an existing one."""
        new: dict[str, Any] = {}
        for column in self.spec.columns:
            if column.name not in self.present and old is not None:
                continue
            value = row.values.get(column.name, column.blank)
            ref = self.target.ref_for(column.name)
            field = ref.field if ref else column.field
            if field is None or (old is not None and field in self.target.key_fields):
                continue
            new[field] = self._ref_id(ref, value) if ref else value
        if self.kind is Kind.INVOICES:
            was = None if old is None else derive.OldInvoice(
                old.amount, old.erp_settled_amount, old.erp_settled_on, old.open_amount)  # type: ignore[attr-defined]
            money = derive.invoice_money(amount=new["amount"], file_open=row.values.get("open_amount"),
                                         has_open_column="open_amount" in self.present, old=was, today=self.today)
            new.update(erp_settled_amount=money.erp_settled_amount, erp_settled_on=money.erp_settled_on,
                       open_amount=money.open_amount)
        elif self.kind is Kind.INVOICE_LINES:
            currency = self.invoice_currency[row.values["invoice_number"]]
            new["amount"] = round_money(row.values["quantity"] * row.values["unit_price"], currency)
        elif self.kind in (Kind.CREDIT_MEMOS, Kind.PAYMENTS):
            new["unapplied_amount"] = derive.unapplied_after(
                amount=new["amount"], old_amount=getattr(old, "amount", None),
                old_unapplied=getattr(old, "unapplied_amount", None))
        return new

    def _plan(self) -> None:
        ready = [row for row in self.rows if row.ok and row.row not in self.rejections.rows]
        existing = self._existing([self._key(row) for row in ready])
        for row in ready:
            old = existing.get(self._key(row))
            new = self._values(row, old)
            if old is None:
                self.creates.append((row, new))
                continue
            before = {name: getattr(old, name) for name in new}
            if all(new[name] == before[name] for name in new):
                self.unchanged += 1
            else:
                self.updates.append(Update(row, old, before, new))
        self._check_state()

    def _check_state(self) -> None:
        if self.kind not in (Kind.INVOICES, Kind.CREDIT_MEMOS, Kind.PAYMENTS):
            return
        fk = {Kind.INVOICES: "invoice_id", Kind.CREDIT_MEMOS: "credit_memo_id", Kind.PAYMENTS: "payment_id"}[self.kind]
        ids = [u.old.pk for u in self.updates]
        applied: set[int] = set()
        for chunk in _chunks(ids):
            applied.update(Application.objects.filter(**{f"{fk}__in": chunk}).values_list(fk, flat=True))
        for update in self.updates:
            for column, value, reason in state_problems(self.target, update, update.old.pk in applied,
                                                        "open_amount" in self.present):
                self.rejections.add(update.row.row, column, value, reason)

    # --- writes ------------------------------------------------------------------------------

    def apply(self, *, open_batch: Callable[[], ImportBatch], by: Any) -> tuple[int, int, int]:
        if not self.creates and not self.updates:
            return 0, 0, self.unchanged
        batch = open_batch()
        now = timezone.now()
        model = self.target.model
        extra: dict[str, Any] = {"source": Source.IMPORT} if any(
            f.name == "source" for f in model._meta.concrete_fields) else {}
        objects = []
        for _row, new in self.creates:
            fields = {k: (None if isinstance(val, NewParent) else val) for k, val in new.items()}
            objects.append(model(**fields, **extra))
        model.objects.bulk_create(objects, batch_size=CHUNK)  # type: ignore[attr-defined]
        self._link_new_parents()
        events = []
        changed_objects = []
        for update in self.updates:
            new = {k: self._parent_id(val) for k, val in update.new.items()}
            before, after = change_of(model, update.before, new)
            for name in after:
                setattr(update.old, name, new[name])
            if self.target.versioned:
                update.old.version += 1  # type: ignore[attr-defined]
            if self.target.stamped:
                update.old.updated_at = now  # type: ignore[attr-defined]
            changed_objects.append((update.old, list(after)))
            events.append(EventSpec(verb=f"{self.target.verb}.changed",
                                    subject=(model._meta.label_lower, update.old.pk), before=before, after=after,
                                    reason=f"import #{batch.pk} {batch.file_name}"))
        for obj, names in changed_objects:
            stamp = [f for f in ("version", "updated_at") if hasattr(obj, f)]
            obj.save(update_fields=[*names, *stamp])
        record_many(actor=by, events=events)
        return len(self.creates), len(self.updates), self.unchanged

    def _parent_id(self, value: Any) -> Any:
        if isinstance(value, NewParent):
            return self._new_ids[value.number]
        return value

    def _link_new_parents(self) -> None:
        if self.kind is not Kind.CUSTOMERS:
            return
        wanted = sorted({val.number for _r, new in self.creates for val in new.values() if isinstance(val, NewParent)}
                        | {val.number for u in self.updates for val in u.new.values() if isinstance(val, NewParent)})
        for chunk in _chunks(wanted):
            self._new_ids.update(Customer.objects.filter(number__in=chunk).values_list("number", "pk"))
        for _row, new in self.creates:
            parent = new.get("parent_id")
            if isinstance(parent, NewParent):
                Customer.objects.filter(number=new["number"]).update(parent_id=self._new_ids[parent.number])


def state_problems(target: Target, update: Update, has_applications: bool, has_open_column: bool
                   ) -> Iterator[tuple[str, Any, str]]:
    """(column, value, reason) for each change ardesk's own entries forbid on an existing row."""
    old, new, values = update.old, update.new, update.row.values
    entity = target.spec.entity
    if target.spec.kind is Kind.INVOICES and new["open_amount"] < 0:
        column = "open_amount" if has_open_column else "amount"
        settled = old.amount - old.erp_settled_amount - old.open_amount  # type: ignore[attr-defined]
        yield column, values[column], v.open_negative_reason(new["open_amount"], settled, new["currency"])
    if not has_applications:
        return
    if "customer_id" in new and new["customer_id"] != old.customer_id:  # type: ignore[attr-defined]
        yield "customer_number", values["customer_number"], v.applied_change_reason(
            entity, "customer", old.customer.number, values["customer_number"])  # type: ignore[attr-defined]
    if new["currency"] != old.currency:  # type: ignore[attr-defined]
        yield "currency", values["currency"], v.applied_change_reason(
            entity, "currency", old.currency, new["currency"])  # type: ignore[attr-defined]
    if target.spec.kind is not Kind.INVOICES and new["amount"] != old.amount:  # type: ignore[attr-defined]
        yield "amount", values["amount"], v.applied_change_reason(
            entity, "amount", v.money_text(old.amount, old.currency),  # type: ignore[attr-defined]
            v.money_text(new["amount"], new["currency"]))
