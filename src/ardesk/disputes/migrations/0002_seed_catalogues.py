"""Seed the reason-code and root-cause catalogues a company starts from (it may edit them afterwards)."""

from django.db import migrations

# code, label, default department, SLA days, keywords
REASON_CODES = [
    ("pricing", "Pricing", "sales", 15,
     ["price", "pricing", "overcharged", "overcharge", "wrong price", "price list", "agreed price",
      "discount not applied", "quoted", "quote"]),
    ("quantity_short", "Quantity short", "logistics", 10,
     ["short", "shortage", "short shipped", "missing items", "fewer", "quantity", "only received", "count"]),
    ("damaged_goods", "Damaged goods", "logistics", 10,
     ["damaged", "damage", "broken", "defective", "crushed", "leaking", "dented"]),
    ("not_received", "Not received", "logistics", 10,
     ["not received", "never received", "never arrived", "not delivered", "no delivery", "did not arrive",
      "lost"]),
    ("returned_goods", "Returned goods", "customer_service", 15,
     ["returned", "return", "rma", "sent back", "credit for return"]),
    ("duplicate_billing", "Duplicate billing", "billing", 5,
     ["duplicate", "billed twice", "invoiced twice", "double billed", "charged twice", "already paid"]),
    ("tax", "Tax", "tax", 15,
     ["tax", "vat", "sales tax", "exempt", "exemption certificate", "withholding"]),
    ("promotion", "Promotion / trade allowance", "trade_marketing", 30,
     ["promotion", "promo", "trade allowance", "allowance", "rebate", "co op", "marketing fund", "slotting"]),
    ("service_quality", "Service quality", "customer_service", 20,
     ["service", "poor quality", "quality", "late", "unsatisfactory", "not as described", "complaint"]),
    ("po_mismatch", "PO mismatch", "billing", 10,
     ["purchase order", "po number", "po mismatch", "no po", "wrong po", "po"]),
    ("unauthorised_deduction", "Unauthorised deduction", "accounts_receivable", 30,
     ["unauthorised", "unauthorized", "deducted", "deduction", "short paid", "short payment",
      "without approval"]),
    ("other", "Other", "accounts_receivable", 20, []),
]

ROOT_CAUSES = [
    ("pricing_error", "Pricing error"),
    ("shipping_error", "Shipping error"),
    ("order_entry", "Order entry"),
    ("product_quality", "Product quality"),
    ("customer_error", "Customer error"),
    ("contract_terms", "Contract terms"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    ReasonCode = apps.get_model("disputes", "ReasonCode")
    RootCause = apps.get_model("disputes", "RootCause")
    for position, (code, label, department, sla_days, keywords) in enumerate(REASON_CODES, start=1):
        ReasonCode.objects.update_or_create(code=code, defaults={
            "label": label, "default_department": department, "sla_days": sla_days,
            "keywords": "\n".join(keywords), "position": position, "active": True,
        })
    for position, (code, label) in enumerate(ROOT_CAUSES, start=1):
        RootCause.objects.update_or_create(code=code, defaults={"label": label, "position": position,
                                                                "active": True})


def unseed(apps, schema_editor):
    # Only rows nothing points at can go; a catalogue entry in use stays.
    ReasonCode = apps.get_model("disputes", "ReasonCode")
    RootCause = apps.get_model("disputes", "RootCause")
    ReasonCode.objects.filter(code__in=[r[0] for r in REASON_CODES], disputes__isnull=True).delete()
    RootCause.objects.filter(code__in=[r[0] for r in ROOT_CAUSES], disputes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
