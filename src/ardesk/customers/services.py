"""Writes to customers and contacts, each audited. Updates check the caller's version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record, snapshot
from ardesk.customers.models import Contact, Customer
from ardesk.errors import DomainError, StaleVersion
from ardesk.money import check_currency

CUSTOMER_FIELDS = [
    "number", "name", "legal_name", "parent_id", "country", "currency", "language", "time_zone",
    "payment_terms_days", "credit_limit", "segment", "risk_class", "collector_id", "team_id", "do_not_contact",
]
CONTACT_FIELDS = ["name", "email", "phone", "role", "preferred_channel", "is_primary"]
EDITABLE_CUSTOMER_FIELDS = frozenset(CUSTOMER_FIELDS) - {"number"}


@dataclass
class CustomerChanges:
    """The master-data fields a user changes on a customer; only the fields set are touched."""

    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.values) - EDITABLE_CUSTOMER_FIELDS
        if unknown:
            raise DomainError(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])


def _check_parent(customer: Customer | None, parent_id: int | None) -> None:
    """A parent must exist and must not make a loop in the group."""
    seen = {customer.pk} if customer and customer.pk else set()
    current = parent_id
    for _ in range(20):
        if current is None:
            return
        if current in seen:
            raise DomainError("this parent would make a loop in the customer group", field="parent")
        seen.add(current)
        current = Customer.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    raise DomainError("customer groups are limited to 20 levels", field="parent")


@transaction.atomic
def create_customer(*, by: Any, number: str, name: str, currency: str, **fields: Any) -> Customer:
    if not number.strip():
        raise DomainError("a customer needs a number", field="number")
    if not name.strip():
        raise DomainError("a customer needs a name", field="name")
    if Customer.objects.filter(number=number).exists():
        raise DomainError(f"customer {number} already exists", field="number")
    _check_parent(None, fields.get("parent_id") or (fields["parent"].pk if fields.get("parent") else None))
    customer = Customer.objects.create(number=number, name=name, currency=check_currency(currency), **fields)
    record(actor=by, verb="customer.created", subject=customer, after=snapshot(customer, CUSTOMER_FIELDS))
    return customer


@transaction.atomic
def change_customer(*, customer: Customer, changes: CustomerChanges, expected_version: int | None, by: Any,
                    reason: str = "") -> Customer:
    """Change master data. A stale `expected_version` is refused so no edit is silently lost."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersion(expected=expected_version, actual=locked.version)
    values = dict(changes.values)
    if "currency" in values:
        values["currency"] = check_currency(values["currency"])
    if "parent_id" in values:
        _check_parent(locked, values["parent_id"])
    before = snapshot(locked, CUSTOMER_FIELDS)
    for name, value in values.items():
        setattr(locked, name, value)
    after = snapshot(locked, CUSTOMER_FIELDS)
    if after == before:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    changed = [k for k in after if after[k] != before[k]]
    record(actor=by, verb="customer.changed", subject=locked,
           before={k: before[k] for k in changed}, after={k: after[k] for k in changed}, reason=reason)
    return locked


@transaction.atomic
def add_contact(*, customer: Customer, by: Any, name: str, email: str, **fields: Any) -> Contact:
    if Contact.objects.filter(customer=customer, email__iexact=email).exists():
        raise DomainError(f"{customer.number} already has a contact {email}", field="email")
    contact = Contact.objects.create(customer=customer, name=name, email=email, **fields)
    record(actor=by, verb="contact.added", subject=contact,
           after={"customer": customer.number, **snapshot(contact, CONTACT_FIELDS)})
    return contact


@transaction.atomic
def change_contact(*, contact: Contact, values: dict[str, Any], expected_version: int | None, by: Any) -> Contact:
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise DomainError(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersion(expected=expected_version, actual=locked.version)
    before = snapshot(locked, CONTACT_FIELDS)
    for name, value in values.items():
        setattr(locked, name, value)
    after = snapshot(locked, CONTACT_FIELDS)
    if after == before:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    changed = [k for k in after if after[k] != before[k]]
    record(actor=by, verb="contact.changed", subject=locked,
           before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return locked
