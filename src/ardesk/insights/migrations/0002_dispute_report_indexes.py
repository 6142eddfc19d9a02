"""Indexes the dispute reports read on the disputes table.

- `insights_dispute_recur_idx`: disputes with a reason code in the order the recurring-disputes report walks
  them (customer, reason, raise date, id) with the currency and amount, so PostgreSQL answers its LAG window
  from the index alone, already sorted (no heap visit, no sort of every dispute since the look-back date).
- `insights_dispute_resolved_idx`: resolved disputes by resolution time with what the month-by-month report
  sums, so "resolved per month" reads a range of the index instead of every dispute.

Written as SQL because the table belongs to the disputes app and INCLUDE is PostgreSQL's; SQLite gets the
same indexes with the extra columns in the key.
"""

from django.db import migrations

INDEXES = (
    ("insights_dispute_recur_idx", "(customer_id, reason_code_id, raised_on, id)", "(currency, amount)",
     "reason_code_id IS NOT NULL"),
    ("insights_dispute_resolved_idx", "(resolved_at)", "(customer_id, currency, amount, accepted_amount)",
     "resolved_at IS NOT NULL"),
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name, key, extra, where in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            columns = f"{key} INCLUDE {extra}"
        else:
            columns = f"{key[:-1]}, {extra[1:]}"
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON disputes_dispute {columns} WHERE {where}")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_report_indexes"), ("disputes", "0005_queue_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
