import pytest
from datetime import date
from decimal import Decimal
from ardesk.insights.queries import aging_report, aging_invoices
from ardesk.insights.report import Grouping
from ardesk.insights import formats
from ardesk.ledger import services
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory

@pytest.mark.django_db
def test_smoke(clerk):
    c = CustomerFactory()
    inv = InvoiceFactory(customer=c, issue_date=date(2025,1,1), due_date=date(2025,1,31), amount=Decimal("100.10"))
    inv2 = InvoiceFactory(customer=c, issue_date=date(2025,3,1), due_date=date(2025,3,31), amount=Decimal("50.20"))
    p = PaymentFactory(customer=c, amount=Decimal("30"))
    services.apply_payment(payment=p, invoice=inv, amount=Decimal("30"), on=date(2025,2,10), by=clerk)
    for d in (date(2025,2,1), date(2025,4,15), date.today()):
        for by in Grouping:
            r = aging_report(as_of=d, by=by, user=None)
            print(formats.as_table(r))
    print(formats.as_csv(aging_report(as_of=date(2025,4,15), by=Grouping.CURRENCY, user=clerk)))
    print(aging_invoices(as_of=date(2025,4,15), user=clerk, where={Grouping.CUSTOMER: str(c.pk)}, bucket="total"))
