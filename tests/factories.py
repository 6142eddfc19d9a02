"""Factories that make only what a test names."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from ardesk.customers.models import Customer
from ardesk.identity.models import Team, User
from ardesk.ledger.models import CreditMemo, Invoice, Payment


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = "collector"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    number = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    currency = "EUR"
    country = "DE"


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: f"INV-{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    issue_date = factory.LazyFunction(lambda: date(2026, 10, 1))
    due_date = factory.LazyAttribute(lambda i: i.issue_date + timedelta(days=30))
    currency = factory.LazyAttribute(lambda i: i.customer.currency)
    amount = Decimal("100.00")
    open_amount = factory.LazyAttribute(lambda i: i.amount)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    number = factory.Sequence(lambda n: f"PAY-{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    received_on = factory.LazyFunction(lambda: date(2026, 11, 1))
    currency = factory.LazyAttribute(lambda p: p.customer.currency)
    amount = Decimal("100.00")
    unapplied_amount = factory.LazyAttribute(lambda p: p.amount)


class CreditMemoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditMemo

    number = factory.Sequence(lambda n: f"CM-{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    issue_date = factory.LazyFunction(lambda: date(2026, 11, 1))
    currency = factory.LazyAttribute(lambda c: c.customer.currency)
    amount = Decimal("50.00")
    unapplied_amount = factory.LazyAttribute(lambda c: c.amount)


class DisputeFactory(factory.django.DjangoModelFactory):
    """A settled dispute with no items: the shape training examples have (description → final reason code)."""

    class Meta:
        model = "disputes.Dispute"

    number = factory.Sequence(lambda n: f"DSP-F{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    kind = "invoice"
    status = "resolved"
    outcome = "rejected"
    department = "accounts_receivable"
    sla_due = factory.LazyFunction(lambda: date(2026, 12, 1))
    currency = factory.LazyAttribute(lambda d: d.customer.currency)
    amount = Decimal("10.00")
    description = "the price is wrong"
