"""The PostgreSQL engine: rows streamed into a TEMP staging table with COPY, checked and applied set-based.

Cells are read in Python by the same RowValidator as the portable engine;
what needs ardesk's data (duplicate keys, references, state) is one SQL
statement per rule over the whole file, each writing (row, column, value,
rule, arguments) into `import_rejection`. The reasons are then worded by
validation.py, so both engines say the same thing. Writes are one INSERT of
the new rows and one UPDATE of the changed ones; unchanged rows are not touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from ardesk.audit.services import EventSpec, record_many
from ardesk.customers.models import Customer
from ardesk.imports import sql_build as b
from ardesk.imports import validation as v
from ardesk.imports.copytext import line_maker
from ardesk.imports.models import ImportBatch
from ardesk.imports.parallel import Done, NotSplittable
from ardesk.imports.parsing import currency_codes
from ardesk.imports.report import MAX_LISTED_REJECTIONS, Kind, Rejections
from ardesk.imports.targets import REFERENCE_MODELS, Target, change_of
from ardesk.ledger.models import Invoice
from ardesk.money import minor_units

log = logging.getLogger(__name__)

_COPY_BATCH = 2000


class SqlEngine:
    name = "sql"

    def __init__(self, *, target: Target, present: set[str], rejections: Rejections, today: date) -> None:
        self.target, self.spec, self.kind = target, target.spec, target.spec.kind
        self.plan = b.SqlPlan(target, present, today)
        self.present, self.rejections = present, rejections
        self.fields = [*target.written_fields(present), *target.derived]
        self.rows = 0
        self.updated = 0

    def _run(self, sql: str, params: list[Any] | None = None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _value(self, sql: str, params: list[Any] | None = None) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None

    # --- staging ---------------------------------------------------------------------------------

    def _tune(self) -> None:
        """Session settings for one big set-based import; all but temp_buffers end with the transaction."""
        try:
            with transaction.atomic():
                # Only possible before the session's first temporary table; later it fails and we go on.
                self._run("SELECT set_config('temp_buffers', %s, false)", [settings.ARDESK_IMPORT_TEMP_BUFFERS])
        except DatabaseError:
            pass
        self._run("SELECT set_config('work_mem', %s, true)", [settings.ARDESK_IMPORT_WORK_MEM])
        self._run("SET LOCAL jit = off")  # compiling the big statements costs seconds and saves nothing here
        self._run("SET LOCAL DateStyle = 'ISO, YMD'")

    def _drop_tables(self) -> None:
        # ON COMMIT DROP does not fire while a caller's outer transaction is still open.
        self._run(f"DROP TABLE IF EXISTS {b.STAGE}, {b.REJECTION}, {b.CHANGED}, {b.CREATED}, {b.MINOR}")

    def ingest(self, rows: Iterable[v.Row], parallel: Callable[[], Iterator[Done]] | None = None) -> int:
        """Stream the rows into the staging table: from worker processes when offered, else one by one."""
        self._tune()
        self._drop_tables()
        self._create_tables()
        count = None
        if parallel is not None:
            try:
                with transaction.atomic():  # a savepoint: a failed COPY must not spoil the transaction
                    count = self._copy_blocks(parallel())
            except NotSplittable:
                log.info("a block did not split into whole rows; reading the file in one process")
                self.rejections.reset()
        if count is None:
            count = self._copy_rows(rows)
        self._run(f"ANALYZE {b.STAGE}")
        self.rows = count
        return count

    def _create_tables(self) -> None:
        self._run(self.plan.stage_ddl())
        self._run(f"CREATE TEMP TABLE {b.REJECTION} (row_no integer NOT NULL, col text NOT NULL, val text, "
                  f"code text NOT NULL, args text[] NOT NULL) ON COMMIT DROP")
        if self.kind is Kind.INVOICE_LINES:
            self._run(f"CREATE TEMP TABLE {b.MINOR} (currency text PRIMARY KEY, places integer) ON COMMIT DROP")
            codes = sorted(currency_codes())
            self._run(f"INSERT INTO {b.MINOR} SELECT * FROM unnest(%s::text[], %s::integer[])",
                      [codes, [minor_units(code) for code in codes]])
        if self.kind is Kind.CUSTOMERS:
            self._run(f"CREATE TEMP TABLE {b.CREATED} (id bigint PRIMARY KEY) ON COMMIT DROP")

    def _copy_rows(self, rows: Iterable[v.Row]) -> int:
        make_line = line_maker(self.plan.columns)
        count = 0
        with connection.cursor() as cursor, cursor.copy(self.plan.copy_sql()) as copy:
            buffer: list[str] = []
            for row in rows:
                count += 1
                buffer.append(make_line(row))
                if len(buffer) >= _COPY_BATCH:
                    copy.write("\n".join(buffer) + "\n")
                    buffer.clear()
            if buffer:
                copy.write("\n".join(buffer) + "\n")
        return count

    def _copy_blocks(self, blocks: Iterator[Done]) -> int:
        count = 0
        with connection.cursor() as cursor, cursor.copy(self.plan.copy_sql()) as copy:
            for done in blocks:
                if done.mismatch:
                    raise NotSplittable
                if done.text:
                    copy.write(done.text)
                count += done.rows
                for row, column, value, reason in done.rejections:
                    self.rejections.add_shown(row, column, value, reason)
                if done.broken:
                    self.rejections.add(done.broken[0], "*", "", done.broken[1])
                    break
        return count

    # --- checks ----------------------------------------------------------------------------------

    def check(self) -> None:
        self._duplicates()
        for ref in self.target.refs:
            if ref.column in self.present:
                self._reference(ref.column, ref.target)
        if self.kind is Kind.CUSTOMERS and "parent_number" in self.present:
            self._parents()
        if self.kind is Kind.INVOICE_LINES and "tax_amount" in self.present:
            self._run(f"INSERT INTO {b.REJECTION} SELECT s.row_no, 'tax_amount', s.tax_amount::text, 'tax', "
                      f"ARRAY[s.tax_amount::text, i.currency] FROM {b.STAGE} s "
                      f"JOIN {b.table(Invoice)} i ON i.number = s.invoice_number "
                      f"JOIN {b.MINOR} m ON m.currency = i.currency "
                      f"WHERE s.tax_amount <> round(s.tax_amount, m.places)")
        if self.kind is Kind.CREDIT_MEMOS and "invoice_number" in self.present:
            self._run(f"INSERT INTO {b.REJECTION} SELECT s.row_no, 'invoice_number', s.invoice_number, 'clash', "
                      f"ARRAY[s.invoice_number, i.currency, s.currency] FROM {b.STAGE} s "
                      f"JOIN {b.table(Invoice)} i ON i.number = s.invoice_number WHERE i.currency <> s.currency")
        if self.kind is not Kind.CUSTOMERS:
            self._find_changed()
            self._state()
        self._collect()

    def _duplicates(self) -> None:
        keys = [b.qn(name) for name in self.spec.key]
        last = keys[-1]
        on = " AND ".join(f"s.{k} = d.{k}" for k in keys)
        self._run(
            f"INSERT INTO {b.REJECTION} SELECT s.row_no, %s, s.{last}::text, 'duplicate', "
            f"ARRAY[concat_ws(' / ', {', '.join(f's.{k}::text' for k in keys)}), d.first_row::text] "
            f"FROM {b.STAGE} s JOIN (SELECT {', '.join(keys)}, min(row_no) AS first_row FROM {b.STAGE} "
            f"WHERE {' AND '.join(f'{k} IS NOT NULL' for k in keys)} GROUP BY {', '.join(keys)} "
            f"HAVING count(*) > 1) d ON {on} WHERE s.row_no <> d.first_row", [self.spec.key[-1]])

    def _reference(self, column: str, target: str) -> None:
        model, field = REFERENCE_MODELS[target]
        col = b.qn(column)
        in_file = column == "parent_number"
        also = (f" AND NOT EXISTS (SELECT 1 FROM {b.STAGE} f WHERE f.customer_number = s.{col})" if in_file else "")
        self._run(f"INSERT INTO {b.REJECTION} SELECT s.row_no, %s, s.{col}, 'reference', ARRAY[%s, %s] "
                  f"FROM {b.STAGE} s WHERE s.{col} IS NOT NULL AND NOT EXISTS "
                  f"(SELECT 1 FROM {b.table(model)} r WHERE r.{b.qn(field)} = s.{col}){also}",
                  [column, target, "t" if in_file else "f"])

    def _parents(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT ON (customer_number) customer_number, row_no, parent_number "
                           f"FROM {b.STAGE} WHERE customer_number IS NOT NULL ORDER BY customer_number, row_no")
            file_parents = {number: (row_no, parent) for number, row_no, parent in cursor.fetchall()}
        existing = dict(Customer.objects.filter(parent__isnull=False).values_list("number", "parent__number"))
        found = list(v.parent_problems(file_parents, existing.get))
        if found:
            self._run(f"INSERT INTO {b.REJECTION} SELECT row_no, 'parent_number', val, 'text', ARRAY[reason] "
                      f"FROM unnest(%s::integer[], %s::text[], %s::text[]) AS p(row_no, val, reason)",
                      [[f[0] for f in found], [f[1] for f in found], [f[2] for f in found]])

    def _find_changed(self) -> None:
        self._run(f"DROP TABLE IF EXISTS {b.CHANGED}")
        sql, params = self.plan.changed(self.fields)
        self._run(sql, params)
        self.updated = self._value(f"SELECT count(*) FROM {b.CHANGED}")

    def _state(self) -> None:
        if self.kind is Kind.INVOICES:
            column = "open_amount" if "open_amount" in self.present else "amount"
            self._run(f"INSERT INTO {b.REJECTION} SELECT row_no, %s, {b.qn('f_' + column)}::text, 'open_negative', "
                      f"ARRAY[n_open_amount::text, (o_amount - o_erp_settled_amount - o_open_amount)::text, "
                      f"n_currency] FROM {b.CHANGED} WHERE n_open_amount < 0", [column])
        if self.kind not in (Kind.INVOICES, Kind.CREDIT_MEMOS, Kind.PAYMENTS):
            return
        rules = [("customer_number", "f_customer_number", "ARRAY['customer', old_customer_number, f_customer_number]",
                  "n_customer_id IS DISTINCT FROM o_customer_id"),
                 ("currency", "n_currency", "ARRAY['currency', o_currency, n_currency]", "n_currency <> o_currency")]
        if self.kind is not Kind.INVOICES:
            rules.append(("amount", "n_amount::text",
                          "ARRAY['amount', o_amount::text, n_amount::text, o_currency, n_currency]",
                          "n_amount <> o_amount"))
        for column, value, args, condition in rules:
            self._run(f"INSERT INTO {b.REJECTION} SELECT row_no, %s, {value}, 'applied', {args} "
                      f"FROM {b.CHANGED} WHERE has_applications AND {condition}", [column])

    def _reason(self, code: str, args: list[str], value: str) -> str:
        if code == "duplicate":
            return v.duplicate_reason(self.spec, args[0], int(args[1]))
        if code == "reference":
            return v.unknown_reference(args[0], value, in_file_too=args[1] == "t")
        if code == "tax":
            return v.line_tax_reason(Decimal(args[0]), args[1]) or ""
        if code == "clash":
            return v.currency_clash_reason(*args[:3])
        if code == "open_negative":
            return v.open_negative_reason(Decimal(args[0]), Decimal(args[1]), args[2])
        if code == "applied":
            what, old, new = args[:3]
            if what == "amount":
                old, new = v.money_text(Decimal(old), args[3]), v.money_text(Decimal(new), args[4])
            return v.applied_change_reason(self.spec.entity, what, old, new)
        return args[0]

    def _collect(self) -> None:
        count = self._value(f"SELECT count(*) FROM {b.REJECTION}")
        if not count:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT row_no FROM {b.REJECTION}")
            self.rejections.add_counted(count, {row for (row,) in cursor.fetchall()})
            cursor.execute(
                f"SELECT row_no, col, val, code, args FROM {b.REJECTION} WHERE row_no <= COALESCE((SELECT row_no "
                f"FROM {b.REJECTION} ORDER BY row_no OFFSET %s LIMIT 1), 2147483647) ORDER BY row_no",
                [MAX_LISTED_REJECTIONS - 1])
            for row_no, col, val, code, args in cursor.fetchall():
                self.rejections.add_listed(row_no, col, val, self._reason(code, args, val))

    # --- writes ----------------------------------------------------------------------------------

    def apply(self, *, open_batch: Callable[[], ImportBatch], by: Any) -> tuple[int, int, int]:
        sql, params = self.plan.insert()
        insert = self._insert_checked_as_a_set if self._may_skip_row_checks() else self._run
        created = insert(sql, params)
        if self.kind is Kind.CUSTOMERS:
            if created and "parent_number" in self.present:
                self._run(self.plan.link_new_parents())
            self._find_changed()
        if not created and not self.updated:
            return 0, 0, self.rows
        batch = open_batch()
        if self.updated:
            self._run(self.plan.update(self.fields))
            record_many(actor=by, events=self._events(f"import #{batch.pk} {batch.file_name}"))
        self._drop_tables()
        return created, self.updated, self.rows - created - self.updated

    # --- the big INSERT --------------------------------------------------------------------------

    def _may_skip_row_checks(self) -> bool:
        """Whether the INSERT may check its foreign keys as one set instead of one trigger call per row.

        Only for invoices (their one foreign key, the customer, comes from a checked reference), only
        when the table has no trigger but PostgreSQL's own foreign-key ones, and only when the session
        may set session_replication_role (a superuser, or a role granted SET on it, PostgreSQL 15+).
        """
        if self.kind is not Kind.INVOICES or not settings.ARDESK_IMPORT_SET_BASED_FK_CHECK:
            return False
        if self._value("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                       [Invoice._meta.db_table]):
            return False
        try:
            with transaction.atomic():
                self._run("SET LOCAL session_replication_role = replica")
                self._run("SET LOCAL session_replication_role = origin")
        except DatabaseError:
            return False
        return True

    def _insert_checked_as_a_set(self, sql: str, params: list[Any]) -> int:
        """The INSERT with PostgreSQL's per-row foreign-key trigger off, its work done as a set.

        A trigger call per row (a million at full size) costs more than the INSERT's index work. What it
        guarantees holds anyway: every customer number was found (`check`, in this transaction, rejected
        the file otherwise), the INSERT takes the customer's id from a join, and the customers are locked
        here as the trigger would lock them (FOR KEY SHARE), so none can be deleted or renumbered before
        the commit. Then replication role is set back before anything else runs.
        """
        customers = b.table(Customer)
        self._run(f"SELECT count(*) FROM (SELECT 1 FROM {customers} c WHERE c.number IN "
                  f"(SELECT DISTINCT s.customer_number FROM {b.STAGE} s) FOR KEY SHARE OF c) locked")
        self._run("SET LOCAL session_replication_role = replica")
        created = self._run(sql, params)  # should it fail, the rollback ends the SET LOCAL too
        self._run("SET LOCAL session_replication_role = origin")
        return created

    def _events(self, reason: str) -> Iterator[EventSpec]:
        model, fields, n = self.target.model, self.fields, len(self.fields)
        columns = ", ".join([*(b.qn("o_" + f) for f in fields), *(b.qn("n_" + f) for f in fields)])
        subject_type = model._meta.label_lower
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT id, {columns} FROM {b.CHANGED} ORDER BY row_no")
            while chunk := cursor.fetchmany(2000):
                for record in chunk:
                    before, after = change_of(model, dict(zip(fields, record[1:1 + n], strict=True)),
                                              dict(zip(fields, record[1 + n:], strict=True)))
                    yield EventSpec(verb=f"{self.target.verb}.changed", subject=(subject_type, record[0]),
                                    before=before, after=after, reason=reason)
