"""Template helpers for ardesk pages: money in the document's currency, the main navigation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency
from django import template

from ardesk.money import UnknownCurrency, quantum
from ardesk.web import nav

register = template.Library()

LOCALE = "en"


@register.filter
def money(amount: Any, currency: str | None) -> str:
    """`{{ amount|money:currency }}`: the amount at the currency's minor unit, with its code (EUR 1,234.50).

    The database hands amounts back with 3 decimal places; shown as-is a JPY total would read "1,200.000".
    """
    if amount is None or amount == "":
        return ""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        code = str(currency or "").upper()
        value = value.quantize(quantum(code), rounding=ROUND_HALF_UP)
    except (InvalidOperation, UnknownCurrency, ValueError):
        return str(amount)
    return format_currency(value, code, format="¤¤ #,##0.###;¤¤ -#,##0.###", locale=LOCALE, currency_digits=True)


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> list[dict[str, Any]]:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return nav.entries_for(user, getattr(request, "path", ""))


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, param: str, number: int) -> str:
    """`?…` with the current query string and `param` set to `number` (for a page's own paginator)."""
    request = context["request"]
    params = request.GET.copy()
    params[param] = str(number)
    return "?" + params.urlencode()


@register.filter
def percent(value: Any) -> str:
    return "" if value is None else f"{value} %"


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, key: str, current: str) -> dict[str, str]:
    """The query string that sorts by `key` (flipping the direction if it is the current sort), back to page 1."""
    request = context["request"]
    params = request.GET.copy()
    direction = ""
    if current == key:
        direction, target = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, target = "descending", key
    else:
        target = f"-{key}" if key in {"open", "overdue"} else key
    params["sort"] = target
    params.pop("page", None)
    return {"query": "?" + params.urlencode(), "direction": direction}


@register.filter
def quantity(value: Any) -> str:
    """A quantity or unit price without trailing zeros and never in exponent form (10, not 1E+1)."""
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    return format(value.normalize(), "f")
