"""Where each kind of import lands: the model, its natural key and the references it resolves.

Shared by both engines (engine_python for any database, engine_sql for
PostgreSQL) so they write the same fields and describe changes the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models

from ardesk.customers.models import Contact, Customer
from ardesk.identity.models import Team, User
from ardesk.imports.kinds import Spec, spec_for
from ardesk.imports.report import Kind
from ardesk.ledger.models import CreditMemo, FxRate, Invoice, InvoiceLine, Payment

# What each reference names, and how ardesk finds it: (model, lookup field).
REFERENCE_MODELS: dict[str, tuple[type[models.Model], str]] = {
    "customer": (Customer, "number"),
    "invoice": (Invoice, "number"),
    "user": (User, "username"),
    "team": (Team, "name"),
}


@dataclass(frozen=True)
class Ref:
    column: str  # the file's column
    field: str  # the model's foreign key (attname)
    target: str  # a key of REFERENCE_MODELS


@dataclass(frozen=True)
class Target:
    spec: Spec
    model: type[models.Model]
    key_fields: tuple[str, ...]  # the model fields of the natural key, in the order of spec.key
    refs: tuple[Ref, ...]
    verb: str  # the audit verbs' prefix: "invoice" gives "invoice.changed"
    derived: tuple[str, ...] = ()  # fields the engine computes (open amount, unapplied amount …)

    @property
    def versioned(self) -> bool:
        return any(f.name == "version" for f in self.model._meta.concrete_fields)

    @property
    def stamped(self) -> bool:
        return any(f.name == "updated_at" for f in self.model._meta.concrete_fields)

    def ref_for(self, column: str) -> Ref | None:
        return next((r for r in self.refs if r.column == column), None)

    def written_fields(self, present: set[str]) -> list[str]:
        """Model fields the file sets on an existing row (the key excluded), in a stable order."""
        fields: list[str] = []
        for column in self.spec.columns:
            if column.name not in present:
                continue
            ref = self.ref_for(column.name)
            name = ref.field if ref else column.field
            if name and name not in self.key_fields:
                fields.append(name)
        return fields


TARGETS: dict[Kind, Target] = {
    Kind.CUSTOMERS: Target(spec_for("customers"), Customer, ("number",), (
        Ref("parent_number", "parent_id", "customer"), Ref("collector", "collector_id", "user"),
        Ref("team", "team_id", "team")), verb="customer"),
    Kind.CONTACTS: Target(spec_for("contacts"), Contact, ("customer_id", "email"), (
        Ref("customer_number", "customer_id", "customer"),), verb="contact"),
    Kind.INVOICES: Target(spec_for("invoices"), Invoice, ("number",), (
        Ref("customer_number", "customer_id", "customer"),), verb="invoice",
        derived=("erp_settled_amount", "erp_settled_on", "open_amount")),
    Kind.INVOICE_LINES: Target(spec_for("invoice-lines"), InvoiceLine, ("invoice_id", "line_no"), (
        Ref("invoice_number", "invoice_id", "invoice"),), verb="invoice_line", derived=("amount",)),
    Kind.CREDIT_MEMOS: Target(spec_for("credit-memos"), CreditMemo, ("number",), (
        Ref("customer_number", "customer_id", "customer"), Ref("invoice_number", "invoice_id", "invoice")),
        verb="credit_memo", derived=("unapplied_amount",)),
    Kind.PAYMENTS: Target(spec_for("payments"), Payment, ("number",), (
        Ref("customer_number", "customer_id", "customer"),), verb="payment", derived=("unapplied_amount",)),
    Kind.FX_RATES: Target(spec_for("fx-rates"), FxRate, ("currency", "rate_date"), (), verb="fx_rate"),
}


def target_for(kind: str) -> Target:
    return TARGETS[Kind(kind)]


def audit_value(model: type[models.Model], name: str, value: Any) -> Any:
    """A field's value as the audit log stores it: as the database holds it, in plain JSON."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        field = model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
        places = getattr(field, "decimal_places", None)
        return str(value.quantize(Decimal(1).scaleb(-places)) if places is not None else value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def change_of(model: type[models.Model], before: dict[str, Any], after: dict[str, Any]
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The before and after of the fields that differ, as the audit log stores them."""
    changed = [name for name in after if after[name] != before.get(name)]
    return ({name: audit_value(model, name, before.get(name)) for name in changed},
            {name: audit_value(model, name, after[name]) for name in changed})
