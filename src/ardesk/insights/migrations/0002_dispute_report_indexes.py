"""Indexes the dispute reports read on the disputes table.

- `insights_dispute_recur_idx`: disputes with a reason code in the order the recurring-disputes report walks
  them (customer, reason, raise date, id) with the currency and amount, so PostgreSQL answers its LAG window
  from the index alone, already sorted (no heap visit, no sort of every dispute since the look-back date).

Written as SQL because the table belongs to the disputes app and INCLUDE is PostgreSQL's; SQLite gets the
same index with the extra columns in the key.
"""

from django.db import migrations

RECUR_INDEX = "insights_dispute_recur_idx"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        columns = "(customer_id, reason_code_id, raised_on, id) INCLUDE (currency, amount)"
    else:
        columns = "(customer_id, reason_code_id, raised_on, id, currency, amount)"
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {RECUR_INDEX} ON disputes_dispute {columns} WHERE reason_code_id IS NOT NULL")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f"DROP INDEX IF EXISTS {RECUR_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_report_indexes"), ("disputes", "0005_queue_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
