"""Customers and contacts over the API: thin handlers over customers.services and the user's scope."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, field_serializer

from ardesk.apikit.access import get_visible, require, visible
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import (
    Country,
    Currency,
    Email,
    Id,
    MoneyIn,
    MoneyOut,
    Text40,
    Text200,
    TimeZone,
    display_money,
)
from ardesk.apikit.pagination import PageQuery, page_of, paginate
from ardesk.apikit.versions import expected_version, set_etag
from ardesk.customers import services
from ardesk.customers.models import Channel, Contact, ContactRole, Customer
from ardesk.errors import DomainError, NotFound, PermissionDenied
from ardesk.identity.models import Team, User
from ardesk.identity.roles import Permission, Scope, scope_of
from ardesk.money import check_amount

router = Router()

ERRORS = ERROR_RESPONSES
Language = Field(None, max_length=12, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
RoleName = Literal["billing", "accounts_payable", "purchasing", "management", "legal", "other"]
ChannelName = Literal["email", "phone", "letter", "portal"]
assert set(get_args(RoleName)) == set(ContactRole.values) and set(get_args(ChannelName)) == set(Channel.values)


class CustomerOut(Schema):
    id: int
    number: str
    name: str
    legal_name: str
    parent_id: int | None
    country: str
    currency: str
    language: str
    time_zone: str
    payment_terms_days: int
    credit_limit: MoneyOut
    segment: str
    risk_class: str
    collector_id: int | None
    team_id: int | None
    do_not_contact: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @field_serializer("credit_limit")
    def _money(self, value: Decimal) -> str:
        return display_money(value, self.currency)


class CustomerFilters(PageQuery):
    q: str | None = Field(None, max_length=200, description="Part of the number or the name.")
    collector: Id | None = Field(None, description="Id of the collector.")
    team: Id | None = None
    segment: str | None = Field(None, max_length=40)
    country: str | None = Field(None, max_length=2)


class CustomerFields(Schema):
    """The master data a client may set; every field is optional on PATCH."""

    model_config = ConfigDict(extra="forbid")

    legal_name: str | None = Field(None, max_length=200)
    parent_id: Id | None = None
    country: Country | None = None
    language: str | None = Language
    time_zone: TimeZone | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)
    credit_limit: MoneyIn | None = None
    segment: str | None = Field(None, max_length=40)
    risk_class: str | None = Field(None, max_length=10)
    collector_id: Id | None = None
    team_id: Id | None = None
    do_not_contact: bool | None = None


class CustomerIn(CustomerFields):
    number: Text40 = Field(min_length=1)
    name: Text200 = Field(min_length=1)
    currency: Currency


class CustomerPatch(CustomerFields):
    name: Text200 | None = Field(None, min_length=1)
    currency: Currency | None = None
    version: Id | None = Field(None, description="The version you read; or send it as If-Match.")


NULLABLE = frozenset({"parent_id", "collector_id", "team_id"})


def _references(user: User, values: dict[str, Any], currency: str) -> dict[str, Any]:
    """Check ids and amounts a body names before anything is written; unknown ids are 404s."""
    for name, value in values.items():
        if value is None and name not in NULLABLE:
            raise DomainError(f"{name} cannot be null", field=name)
    if values.get("parent_id") is not None:
        get_visible(Customer.objects.all(), user, what="parent customer", via="", field="parent_id",
                    pk=values["parent_id"])
    if values.get("collector_id") is not None and not User.objects.filter(
            pk=values["collector_id"], is_active=True).exists():
        raise NotFound("no such collector", field="collector_id")
    if values.get("team_id") is not None and not Team.objects.filter(pk=values["team_id"]).exists():
        raise NotFound("no such team", field="team_id")
    if values.get("credit_limit") is not None:
        values["credit_limit"] = check_amount(values["credit_limit"], currency, field="credit_limit", positive=False)
        if values["credit_limit"] < 0:
            raise DomainError("a credit limit cannot be negative", field="credit_limit")
    return values


def _stays_in_scope(user: User, *, team_id: int | None, collector_id: int | None) -> None:
    """A team-scoped manager may not move a customer out of sight (nor create one there)."""
    scope = scope_of(user.role, see_all=settings.ARDESK_SEE_ALL_CUSTOMERS)
    if scope is Scope.ALL:
        return
    if scope is Scope.TEAM:
        teams = set(user.managed_teams.values_list("pk", flat=True)) | ({user.team_id} if user.team_id else set())
        if team_id not in teams:
            raise PermissionDenied("the customer would belong to a team outside yours", field="team_id")
    elif scope is Scope.PORTFOLIO and collector_id != user.pk:
        raise PermissionDenied("the customer would leave your portfolio", field="collector_id")


def _customer_response(response: HttpResponse, customer: Customer) -> Customer:
    set_etag(response, customer.version)
    return customer


@router.get("", response={200: page_of(CustomerOut), **ERRORS}, summary="List customers")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """Customers the caller may see, ordered by number; filter by text, collector, team, segment, country."""
    user = require(request, Permission.VIEW_LEDGER)
    rows = visible(Customer.objects.all(), user, via="")
    if filters.q:
        rows = rows.filter(Q(number__icontains=filters.q) | Q(name__icontains=filters.q))
    if filters.collector:
        rows = rows.filter(collector_id=filters.collector)
    if filters.team:
        rows = rows.filter(team_id=filters.team)
    if filters.segment:
        rows = rows.filter(segment=filters.segment)
    if filters.country:
        rows = rows.filter(country=filters.country.upper())
    return paginate(rows, key="number", page=filters, resource="customers")


@router.get("/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Get a customer")
def get_customer(request: HttpRequest, customer_id: Id, response: HttpResponse) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    customer = get_visible(Customer.objects.all(), user, what="customer", via="", pk=customer_id)
    return _customer_response(response, customer)


@router.post("", response={201: CustomerOut, **ERRORS}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn, response: HttpResponse) -> Any:
    user = require(request, Permission.EDIT_CUSTOMERS)
    fields = payload.model_dump(exclude_unset=True, exclude={"number", "name", "currency"})
    fields = _references(user, fields, payload.currency)
    if scope_of(user.role, see_all=settings.ARDESK_SEE_ALL_CUSTOMERS) is Scope.TEAM and "team_id" not in fields:
        fields["team_id"] = user.team_id
    _stays_in_scope(user, team_id=fields.get("team_id"), collector_id=fields.get("collector_id"))
    customer = services.create_customer(by=user, number=payload.number, name=payload.name,
                                        currency=payload.currency, **fields)
    return Status(201, _customer_response(response, customer))


@router.patch("/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def change_customer(request: HttpRequest, customer_id: Id, payload: CustomerPatch, response: HttpResponse) -> Any:
    """Change the fields sent; needs the version you read (If-Match or `version`), else 409 on a stale one."""
    user = require(request, Permission.EDIT_CUSTOMERS)
    customer = get_visible(Customer.objects.all(), user, what="customer", via="", pk=customer_id)
    version = expected_version(request, payload.version)
    values = payload.model_dump(exclude_unset=True, exclude={"version"})
    values = _references(user, values, values.get("currency") or customer.currency)
    if "team_id" in values or "collector_id" in values:
        _stays_in_scope(user, team_id=values.get("team_id", customer.team_id),
                        collector_id=values.get("collector_id", customer.collector_id))
    changed = services.change_customer(customer=customer, changes=services.CustomerChanges(values),
                                       expected_version=version, by=user)
    return _customer_response(response, changed)


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    email: str
    phone: str
    role: str
    preferred_channel: str
    is_primary: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ContactFields(Schema):
    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(None, max_length=40)
    role: RoleName | None = None
    preferred_channel: ChannelName | None = None
    is_primary: bool | None = None


class ContactIn(ContactFields):
    name: Text200 = Field(min_length=1)
    email: Email


class ContactPatch(ContactFields):
    name: Text200 | None = Field(None, min_length=1)
    email: Email | None = None
    version: Id | None = Field(None, description="The version you read; or send it as If-Match.")


@router.get("/{int:customer_id}/contacts", response={200: page_of(ContactOut), **ERRORS},
            summary="List a customer's contacts")
def list_contacts(request: HttpRequest, customer_id: Id, page: Query[PageQuery]) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    customer = get_visible(Customer.objects.all(), user, what="customer", via="", pk=customer_id)
    return paginate(Contact.objects.filter(customer=customer), key="name", page=page,
                    resource=f"customers/{customer.pk}/contacts")


@router.post("/{int:customer_id}/contacts", response={201: ContactOut, **ERRORS}, summary="Add a contact")
def create_contact(request: HttpRequest, customer_id: Id, payload: ContactIn, response: HttpResponse) -> Any:
    user = require(request, Permission.EDIT_CUSTOMERS)
    customer = get_visible(Customer.objects.all(), user, what="customer", via="", pk=customer_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"name", "email"})
    for name, value in fields.items():
        if value is None:
            raise DomainError(f"{name} cannot be null", field=name)
    contact = services.add_contact(customer=customer, by=user, name=payload.name, email=payload.email, **fields)
    set_etag(response, contact.version)
    return Status(201, contact)


contacts_router = Router()


@contacts_router.get("/{int:contact_id}", response={200: ContactOut, **ERRORS}, summary="Get a contact")
def get_contact(request: HttpRequest, contact_id: Id, response: HttpResponse) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    contact = get_visible(Contact.objects.all(), user, what="contact", pk=contact_id)
    set_etag(response, contact.version)
    return contact


@contacts_router.patch("/{int:contact_id}", response={200: ContactOut, **ERRORS}, summary="Change a contact")
def change_contact(request: HttpRequest, contact_id: Id, payload: ContactPatch, response: HttpResponse) -> Any:
    user = require(request, Permission.EDIT_CUSTOMERS)
    contact = get_visible(Contact.objects.all(), user, what="contact", pk=contact_id)
    version = expected_version(request, payload.version)
    values = payload.model_dump(exclude_unset=True, exclude={"version"})
    for name, value in values.items():
        if value is None:
            raise DomainError(f"{name} cannot be null", field=name)
    if "email" in values and Contact.objects.filter(customer_id=contact.customer_id, email__iexact=values["email"]) \
            .exclude(pk=contact.pk).exists():
        raise DomainError(f"the customer already has a contact {values['email']}", field="email")
    changed = services.change_contact(contact=contact, values=values, expected_version=version, by=user)
    set_etag(response, changed.version)
    return changed

