"""A small company with two teams, one user per role, and a customer outside the North team.

The matrix tests ask every role for the documents of `other`, a customer of the
South team's collector: only roles that see every customer may reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django_otp.plugins.otp_totp.models import TOTPDevice

from ardesk.audit.services import SYSTEM
from ardesk.customers.models import Contact, Customer
from ardesk.identity.models import ApiToken, Team, User
from ardesk.identity.roles import Role
from ardesk.identity.services import issue_token
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Application, CreditMemo, Invoice, Payment, WriteOff

ROLES = [Role.COLLECTOR, Role.DISPUTE_ANALYST, Role.CASH_CLERK, Role.AR_MANAGER, Role.AUDITOR, Role.ADMIN]
EVERYONE = frozenset(ROLES)
SEES_EVERY_CUSTOMER = frozenset({Role.CASH_CLERK, Role.AUDITOR, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})
NOBODY: frozenset[Role] = frozenset()


@dataclass
class World:
    users: dict[Role, User]
    tokens: dict[Role, str]
    devices: dict[Role, TOTPDevice]
    north: Team
    south: Team
    mine: Customer
    other: Customer
    other_contact: Contact
    other_invoice: Invoice
    other_payment: Payment
    other_credit_memo: CreditMemo
    other_application: Application
    other_write_off: WriteOff
    victim: User
    victim_token: ApiToken


def _user(username: str, role: Role, team: Team | None = None) -> User:
    user = User(username=username, role=role, team=team, is_staff=role == Role.ADMIN)
    user.set_unusable_password()
    user.save()
    return user


def build_world() -> World:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {
        Role.COLLECTOR: _user("colin", Role.COLLECTOR, north),
        Role.DISPUTE_ANALYST: _user("dana", Role.DISPUTE_ANALYST, north),
        Role.CASH_CLERK: _user("cora", Role.CASH_CLERK),
        Role.AR_MANAGER: _user("mia", Role.AR_MANAGER, north),
        Role.AUDITOR: _user("aude", Role.AUDITOR),
        Role.ADMIN: _user("ada", Role.ADMIN),
    }
    north.manager = users[Role.AR_MANAGER]
    north.save()
    carla = _user("carla", Role.COLLECTOR, south)
    victim = _user("victor", Role.COLLECTOR, south)
    tokens = {role: issue_token(user=u, name="matrix", scopes=["read", "write", "import"], by=SYSTEM)[1]
              for role, u in users.items()}
    devices = {role: TOTPDevice.objects.create(user=u, name="phone", confirmed=True) for role, u in users.items()}
    mine = Customer.objects.create(number="N-1", name="Northwind", currency="EUR", collector=users[Role.COLLECTOR],
                                   team=north)
    other = Customer.objects.create(number="S-1", name="Southside", currency="EUR", collector=carla, team=south)
    contact = Contact.objects.create(customer=other, name="Sue", email="sue@southside.example")
    invoice = ledger.book_invoice(customer=other, number="S-INV-1", issue_date=date(2026, 9, 1),
                                  due_date=date(2026, 10, 1), currency="EUR", amount=Decimal("500.00"), by=SYSTEM)
    payment = ledger.record_payment(customer=other, number="S-PAY-1", received_on=date(2026, 10, 5),
                                    currency="EUR", amount=Decimal("300.00"), by=SYSTEM)
    memo = ledger.book_credit_memo(customer=other, number="S-CM-1", issue_date=date(2026, 10, 6), currency="EUR",
                                   amount=Decimal("40.00"), by=SYSTEM)
    application = ledger.apply_payment(payment=payment, invoice=invoice, amount=Decimal("100.00"), by=SYSTEM)
    write_off = ledger.write_off(invoice=invoice, amount=Decimal("5.00"), reason_code="small_balance", by=SYSTEM)
    victim_token, _ = issue_token(user=victim, name="victim's", scopes=["read"], by=SYSTEM)
    return World(users=users, tokens=tokens, devices=devices, north=north, south=south, mine=mine, other=other,
                 other_contact=contact, other_invoice=invoice, other_payment=payment, other_credit_memo=memo,
                 other_application=application, other_write_off=write_off, victim=victim, victim_token=victim_token)
