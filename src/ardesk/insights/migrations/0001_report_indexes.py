"""Indexes the aging report reads on the ledger's invoice table.

- `insights_open_invoice_aging_idx`: the open invoices (the same rows as the ledger's partial index
  invoice_open_customer_due_idx) with every column today's aging needs, so PostgreSQL answers it from the
  index alone, already ordered by customer (no heap visit, no sort).
- `insights_invoice_erp_settled_idx`: the few invoices settled in the ERP, for past-date reports.

Written as SQL because the table belongs to the ledger app and INCLUDE is PostgreSQL's; SQLite gets the
same index with the extra columns in the key.
"""

from django.db import migrations

OPEN_INDEX = "insights_open_invoice_aging_idx"
ERP_INDEX = "insights_invoice_erp_settled_idx"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        columns = "(customer_id, currency, due_date) INCLUDE (open_amount, disputed_amount, issue_date)"
    else:
        columns = "(customer_id, currency, due_date, open_amount, disputed_amount, issue_date)"
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OPEN_INDEX} ON ledger_invoice {columns} WHERE open_amount > 0")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {ERP_INDEX} ON ledger_invoice (erp_settled_on) WHERE erp_settled_amount > 0")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f"DROP INDEX IF EXISTS {OPEN_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ERP_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
