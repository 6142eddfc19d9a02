"""Bulk writes of generated rows: COPY on PostgreSQL, batched bulk_create elsewhere.

Used only by the demo loader (ardesk.demo.services), inside its transaction:
seed data is written in bulk, without one audit event per row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, reset_queries
from django.db.models import NOT_PROVIDED, Max

from ardesk.demo.records import Rows

_BULK_BATCH = 2_000


class BulkWriter:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._postgres = connection.vendor == "postgresql"

    @staticmethod
    def first_ids(tables: list[str]) -> dict[str, int]:
        """For each table, the first primary key above every row it already holds."""
        first: dict[str, int] = {}
        for table in tables:
            model = apps.get_model(table)
            first[table] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        return first

    def write(self, batch: Rows) -> None:
        if not batch.rows:
            return
        model = apps.get_model(batch.table)
        columns, defaults = self._complete(model, batch.columns)
        rows = [(*row, *defaults) for row in batch.rows] if defaults else batch.rows
        if batch.skip_existing:
            self._bulk_create(model, columns, rows, ignore_conflicts=True)
        elif self._postgres:
            self._copy(model, columns, rows)
        else:
            self._insert_many(model, columns, rows)
        self.counts[batch.table] += len(batch.rows)
        reset_queries()  # with DEBUG on, Django keeps every query's SQL; a bulk load must not

    @staticmethod
    def _complete(model: type[models.Model], columns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        """Add every column the generator left out, with the model's default (COPY does not apply Python
        defaults; a database default is left to the database)."""
        missing = [f for f in model._meta.concrete_fields
                   if f.attname not in columns and not f.primary_key and f.db_default is NOT_PROVIDED]
        return (*columns, *(f.attname for f in missing)), tuple(f.get_default() for f in missing)

    @staticmethod
    def _copy(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        quote = connection.ops.quote_name
        names = {f.attname: str(f.column) for f in model._meta.concrete_fields}
        sql = (f"COPY {quote(model._meta.db_table)} ({', '.join(quote(names[c]) for c in columns)}) "
               "FROM STDIN")
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    @staticmethod
    def _insert_many(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """executemany with values adapted the way Django adapts each field (bulk_create's query compiler costs
        ten times more than the insert itself on SQLite)."""
        quote = connection.ops.quote_name
        fields = {f.attname: f for f in model._meta.concrete_fields}
        adapters = [_adapter(fields[c]) for c in columns]
        names = ", ".join(quote(str(fields[c].column)) for c in columns)
        sql = (f"INSERT INTO {quote(model._meta.db_table)} ({names}) "
               f"VALUES ({', '.join(['%s'] * len(columns))})")
        with connection.cursor() as cursor:
            for start in range(0, len(rows), _BULK_BATCH):
                cursor.executemany(sql, [
                    tuple(value if adapt is None or value is None else adapt(value)
                          for adapt, value in zip(adapters, row, strict=True))
                    for row in rows[start:start + _BULK_BATCH]
                ])

    @staticmethod
    def _bulk_create(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                     ignore_conflicts: bool = False) -> None:
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=_BULK_BATCH, ignore_conflicts=ignore_conflicts)

    def finish(self, tables: list[str]) -> None:
        """Move each table's key sequence past the keys given in bulk, so later inserts do not collide."""
        models_ = [apps.get_model(table) for table in tables]
        statements = connection.ops.sequence_reset_sql(no_style(), models_)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def analyze(self, tables: list[str]) -> None:
        """Fresh planner statistics on PostgreSQL, so the first pages after a big load use the right indexes."""
        if not self._postgres:
            return
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(apps.get_model(table)._meta.db_table)}")


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """The database adaptation Django applies to a field's value on save, or None when none is needed."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None
