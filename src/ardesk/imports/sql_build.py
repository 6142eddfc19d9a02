"""The SQL of the PostgreSQL engine, built from a kind's Target and the columns the file has.

The staging table `import_stage` holds the file's rows as read (one column per
file column, NULL where a cell was refused); `import_rejection` collects what
the set-based checks find; `import_changed` holds the existing rows the file
would change, with their before and after values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, models
from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.imports.report import Kind
from ardesk.imports.targets import REFERENCE_MODELS, Target
from ardesk.ledger.models import Application

STAGE, REJECTION, CHANGED, CREATED, MINOR = (
    "import_stage", "import_rejection", "import_changed", "import_created", "import_minor")
# Rows the checks left alone: read cleanly and named by no rejection.
READY = f"s.ok AND NOT EXISTS (SELECT 1 FROM {REJECTION} x WHERE x.row_no = s.row_no)"
Expr = tuple[str, list[Any]]
_APPLICATION_FK = {Kind.INVOICES: "invoice_id", Kind.CREDIT_MEMOS: "credit_memo_id", Kind.PAYMENTS: "payment_id"}


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    return qn(model._meta.db_table)


class SqlPlan:
    """SQL text and parameters for one import; every identifier comes from the models, never from the file."""

    def __init__(self, target: Target, present: set[str], today: date) -> None:
        self.target, self.spec, self.kind = target, target.spec, target.spec.kind
        self.model = target.model
        self.columns = [c for c in self.spec.columns if c.name in present]
        self.present, self.today = present, today
        self.has_open = "open_amount" in present

    def col(self, field: str) -> str:
        return qn(str(getattr(self.model._meta.get_field(field), "column", field)))

    # --- staging ---------------------------------------------------------------------------------

    def stage_ddl(self) -> str:
        cells = ", ".join(f"{qn(c.name)} {c.db}" for c in self.columns)
        return f"CREATE TEMP TABLE {STAGE} (row_no integer NOT NULL, ok boolean NOT NULL, {cells}) ON COMMIT DROP"

    def copy_sql(self) -> str:
        names = ", ".join(qn(c.name) for c in self.columns)
        return f"COPY {STAGE} (row_no, ok, {names}) FROM STDIN"

    def ref_joins(self) -> str:
        joins = []
        for ref in self.target.refs:
            if ref.column in self.present:
                model, field = REFERENCE_MODELS[ref.target]
                alias = f"r_{ref.column}"
                joins.append(f"LEFT JOIN {table(model)} {alias} ON {alias}.{qn(field)} = s.{qn(ref.column)}")
        if self.kind is Kind.INVOICE_LINES:
            joins.append(f"LEFT JOIN {MINOR} m ON m.currency = r_invoice_number.currency")
        return " ".join(joins)

    def key_match(self, alias: str = "t") -> str:
        parts = []
        for name, field in zip(self.spec.key, self.target.key_fields, strict=True):
            ref = self.target.ref_for(name)
            if ref:
                parts.append(f"{alias}.{self.col(field)} = r_{name}.id")
            elif self.kind is Kind.CONTACTS and field == "email":
                parts.append(f"lower({alias}.{self.col(field)}) = s.{qn(name)}")
            else:
                parts.append(f"{alias}.{self.col(field)} = s.{qn(name)}")
        return " AND ".join(parts)

    # --- values ----------------------------------------------------------------------------------

    def _file_values(self, creating: bool) -> dict[str, Expr]:
        exprs: dict[str, Expr] = {}
        for column in self.spec.columns:
            ref = self.target.ref_for(column.name)
            field = ref.field if ref else column.field
            if field is None or (not creating and field in self.target.key_fields):
                continue
            if column.name in self.present:
                exprs[field] = (f"r_{column.name}.id" if ref else f"s.{qn(column.name)}", [])
            elif creating:
                exprs[field] = ("%s", [column.blank])
        return exprs

    def _erp(self, creating: bool) -> str:
        if self.has_open:
            return "(CASE WHEN s.open_amount IS NULL THEN 0 ELSE s.amount - s.open_amount END)"
        return "0" if creating else "t.erp_settled_amount"

    def values(self, creating: bool) -> dict[str, Expr]:
        """Model field -> SQL expression (with its parameters) of its value after the import.

        `s` is the staged row, `t` the existing row when updating.
        """
        exprs = self._file_values(creating)
        if self.kind is Kind.INVOICES:
            erp = self._erp(creating)
            exprs["erp_settled_amount"] = (erp, [])
            if creating:
                exprs["open_amount"] = (f"s.amount - {erp}", [])
                exprs["erp_settled_on"] = (f"CASE WHEN {erp} <> 0 THEN %s::date END", [self.today])
            else:
                exprs["open_amount"] = (f"s.amount - {erp} - (t.amount - t.erp_settled_amount - t.open_amount)", [])
                exprs["erp_settled_on"] = (f"CASE WHEN {erp} = t.erp_settled_amount THEN t.erp_settled_on "
                                           f"WHEN {erp} <> 0 THEN %s::date END", [self.today])
        elif self.kind is Kind.INVOICE_LINES:
            exprs["amount"] = ("round(s.quantity * s.unit_price, m.places)", [])
        elif self.kind in (Kind.CREDIT_MEMOS, Kind.PAYMENTS):
            exprs["unapplied_amount"] = ("s.amount" if creating else "s.amount - (t.amount - t.unapplied_amount)", [])
        return exprs

    # --- writes ----------------------------------------------------------------------------------

    def insert(self) -> tuple[str, list[Any]]:
        """INSERT of the rows whose key ardesk does not have yet, every model field given explicitly."""
        exprs = self.values(True)
        now = timezone.now()
        names, values, params = [], [], []
        for field in self.model._meta.concrete_fields:
            if field.primary_key:
                continue
            names.append(qn(str(field.column)))
            if field.attname in exprs:
                sql, own = exprs[field.attname]
            else:
                default = ("import" if field.name == "source"
                           else now if field.name in ("created_at", "updated_at") else field.get_default())
                sql, own = "%s", [field.get_db_prep_save(default, connection)]
            values.append(sql)
            params.extend(own)
        returning = " RETURNING id" if self.kind is Kind.CUSTOMERS else ""
        sql = (f"INSERT INTO {table(self.model)} ({', '.join(names)}) "
               f"SELECT {', '.join(values)} FROM {STAGE} s {self.ref_joins()} "
               f"WHERE NOT EXISTS (SELECT 1 FROM {table(self.model)} t WHERE {self.key_match()}){returning}")
        if returning:
            sql = f"WITH ins AS ({sql}) INSERT INTO {CREATED} SELECT id FROM ins"
        return sql, params

    def changed(self, fields: list[str]) -> tuple[str, list[Any]]:
        """CREATE TABLE import_changed: existing rows the file changes, with o_<field> and n_<field>."""
        exprs = self.values(False)
        params: list[Any] = []
        news = []
        for f in fields:
            sql, own = exprs[f]
            news.append(f"{sql} AS {qn('n_' + f)}")
            params.extend(own)
        olds = [f"t.{self.col(f)} AS {qn('o_' + f)}" for f in fields]
        extra = [f"s.{qn(c.name)} AS {qn('f_' + c.name)}" for c in self.columns
                 if c.name in ("amount", "open_amount", "customer_number", "currency")]
        joins = ""
        if self.kind in _APPLICATION_FK:
            fk = _APPLICATION_FK[self.kind]
            extra.append(f"oc.number AS old_customer_number, EXISTS (SELECT 1 FROM {table(Application)} a "
                         f"WHERE a.{qn(fk)} = t.id) AS has_applications")
            joins = f"JOIN {table(Customer)} oc ON oc.id = t.customer_id"
        created = (f" AND NOT EXISTS (SELECT 1 FROM {CREATED} ic WHERE ic.id = t.id)"
                   if self.kind is Kind.CUSTOMERS else "")
        distinct = (f"({', '.join(qn('n_' + f) for f in fields)}) IS DISTINCT FROM "
                    f"({', '.join(qn('o_' + f) for f in fields)})")
        sql = (f"CREATE TEMP TABLE {CHANGED} ON COMMIT DROP AS SELECT * FROM ("
               f"SELECT s.row_no, t.id, {', '.join([*olds, *news, *extra])} "
               f"FROM {STAGE} s {self.ref_joins()} JOIN {table(self.model)} t ON {self.key_match()} {joins} "
               f"WHERE {READY}{created}) x WHERE {distinct}")
        return sql, params

    def update(self, fields: list[str]) -> str:
        """UPDATE from import_changed; caches are recomputed against the row as it is at that moment."""
        sets = []
        for f in fields:
            if f == "open_amount":
                sets.append("open_amount = c.n_amount - c.n_erp_settled_amount "
                            "- (t.amount - t.erp_settled_amount - t.open_amount)")
            elif f == "unapplied_amount":
                sets.append("unapplied_amount = c.n_amount - (t.amount - t.unapplied_amount)")
            else:
                sets.append(f"{self.col(f)} = c.{qn('n_' + f)}")
        if self.target.versioned:
            sets.append("version = t.version + 1")
        if self.target.stamped:
            sets.append("updated_at = now()")
        return f"UPDATE {table(self.model)} t SET {', '.join(sets)} FROM {CHANGED} c WHERE t.id = c.id"

    def link_new_parents(self) -> str:
        return (f"UPDATE {table(Customer)} c SET parent_id = p.id FROM {STAGE} s "
                f"JOIN {table(Customer)} p ON p.number = s.parent_number "
                f"WHERE c.number = s.customer_number AND c.id IN (SELECT id FROM {CREATED}) "
                f"AND c.parent_id IS DISTINCT FROM p.id")

