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
from ardesk.comms.models import Message
from ardesk.comms.services import ingest_email
from ardesk.customers.models import Contact, Customer
from ardesk.disputes import services as disputes
from ardesk.disputes.models import ApprovalRequest, Dispute, Document, Task
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
    other_dispute: Dispute | None = None  # an open dispute of `other` (50.00 of other_invoice), with a task
    other_task: Task | None = None
    other_approval: ApprovalRequest | None = None  # a pending write-off approval on other_dispute, asked by carla
    unmatched_mail: Message | None = None  # an inbound mail from an unknown sender
    other_document: Document | None = None  # a PDF kept with other_dispute


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
    dispute = disputes.raise_dispute(customer=other, kind="invoice", description="price is wrong", by=SYSTEM,
                                     items=[disputes.ItemInput(invoice=invoice, amount=Decimal("50.00"))])
    task = disputes.add_task(dispute=dispute, title="Check the price list", department="pricing", by=SYSTEM)
    approval = ApprovalRequest.objects.create(dispute=dispute, requested_by=carla, outcome="accepted",
                                              amount=Decimal("50.00"))
    return World(users=users, tokens=tokens, devices=devices, north=north, south=south, mine=mine, other=other,
                 other_contact=contact, other_invoice=invoice, other_payment=payment, other_credit_memo=memo,
                 other_application=application, other_write_off=write_off, victim=victim, victim_token=victim_token,
                 other_dispute=dispute, other_task=task, other_approval=approval,
                 other_document=disputes.attach_document(dispute=dispute, filename="pod.pdf", by=SYSTEM,
                                                         data=b"%PDF-1.4\n%%EOF\n"),
                 unmatched_mail=ingest_email(b"From: x@nowhere.example\r\nSubject: hi\r\n\r\nhello\r\n", source="test"))
