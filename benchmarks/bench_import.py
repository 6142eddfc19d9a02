"""ERP import at full size: 100,000 customers, then 1,000,000 invoices, then the same invoices again.

Each import runs as the real command (`python -m ardesk import …`) in its own
process, so the time includes start-up and the peak RSS is the importer's own.
The ledger and customer tables of the benchmark database are emptied first.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import Figure, setup_django

TARGET_SECONDS = 30.0
TARGET_RSS_MB = 1024.0
CURRENCIES = ("EUR",) * 6 + ("USD", "USD", "GBP", "CHF")


def write_customers(path: Path, count: int, rnd: random.Random) -> list[str]:
    """Customers C0000001 …; every twentieth belongs to a group headed by the customer before it."""
    currencies = []
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("customer_number,name,legal_name,parent_number,country,currency,payment_terms_days,"
                  "credit_limit,segment,risk_class\n")
        for n in range(1, count + 1):
            currency = rnd.choice(CURRENCIES)
            currencies.append(currency)
            parent = f"C{n - 1:07d}" if n % 20 == 0 else ""
            out.write(f"C{n:07d},Customer {n},Customer {n} Ltd,{parent},DE,{currency},{rnd.choice((14, 30, 60))},"
                      f"{rnd.randrange(0, 500) * 1000}.00,{rnd.choice(('smb', 'mid', 'enterprise'))},"
                      f"{rnd.choice('ABC')}\n")
    return currencies


def write_invoices(path: Path, count: int, currencies: list[str], rnd: random.Random) -> None:
    start = date(2025, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("invoice_number,customer_number,issue_date,due_date,currency,amount,open_amount,tax_amount,"
                  "po_number,sales_rep,description\n")
        for n in range(1, count + 1):
            customer = rnd.randrange(len(currencies))
            issued = start + timedelta(days=rnd.randrange(600))
            cents = rnd.randrange(1_000, 5_000_000)
            open_cents = cents if rnd.random() < 0.7 else rnd.randrange(0, cents)
            out.write(f"INV{n:09d},C{customer + 1:07d},{issued.isoformat()},"
                      f"{(issued + timedelta(days=30)).isoformat()},{currencies[customer]},"
                      f"{cents // 100}.{cents % 100:02d},{open_cents // 100}.{open_cents % 100:02d},"
                      f"{cents * 19 // 11900}.{cents * 19 // 119 % 100:02d},PO-{n % 50_000},rep{n % 40},"
                      f"Goods delivered {issued.isoformat()}\n")


def _empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE ledger_application, ledger_writeoff, ledger_invoiceline, ledger_creditmemo, "
                       "ledger_payment, ledger_invoice, customers_contact, customers_customer, "
                       "imports_importbatch CASCADE")


def _tree_memory_mb(pid: int) -> float:
    """Memory of a process and all its descendants (the importer and its readers), as proportional set size.

    PSS shares each page among the processes that map it, so pages the forked readers share with the
    importer are counted once, not once per process as a sum of RSS would.
    """
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def _import(kind: str, path: Path) -> tuple[float, float]:
    """(seconds, peak MB of the process tree) of one run of the import command."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "ardesk", "import", kind, str(path)],  # noqa: S603
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _tree_memory_mb(process.pid))
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"import of {kind} failed ({process.returncode}):\n{out}\n{err}")
    print(out.strip().splitlines()[-1], file=sys.stderr)
    return elapsed, peak


def _own_database() -> None:
    """Point this process (and the import commands it starts) at `<bench database>_import`.

    The benchmark empties the ledger first; the shared bench database holds the 1M-invoice demo that
    the page, aging and API benchmarks reuse, so it must never be the one emptied.
    """
    url = os.environ["DATABASE_URL"]
    if not url.endswith("_import"):
        os.environ["DATABASE_URL"] = url + "_import"


def run(args: argparse.Namespace) -> list[Figure]:
    _own_database()  # benchmarks/__main__.py runs each module in a process of its own, before Django starts
    setup_django()
    customers = max(10, int(100_000 * args.scale))
    invoices = max(10, int(1_000_000 * args.scale))
    rnd = random.Random(20261126)
    with tempfile.TemporaryDirectory(prefix="ardesk-bench-import-") as tmp:
        customer_file, invoice_file = Path(tmp) / "customers.csv", Path(tmp) / "invoices.csv"
        write_invoices(invoice_file, invoices, write_customers(customer_file, customers, rnd), rnd)
        megabytes = invoice_file.stat().st_size / 1e6
        _empty_tables()
        customer_seconds, customer_peak = _import("customers", customer_file)
        invoice_seconds, invoice_peak = _import("invoices", invoice_file)
        largest_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        again_seconds, again_peak = _import("invoices", invoice_file)
    size = f"{invoices:,} invoices of {customers:,} customers ({megabytes:,.0f} MB CSV)"
    return [
        Figure("import customers (command, first time)", f"{customers:,} customers", customer_seconds,
               TARGET_SECONDS, "s"),
        Figure("import invoices (command, first time)", size, invoice_seconds, TARGET_SECONDS, "s"),
        Figure("import peak RSS, largest process", size, largest_mb, TARGET_RSS_MB, "MB"),
        Figure("import peak memory (PSS), importer and readers together", size,
               max(customer_peak, invoice_peak, again_peak), TARGET_RSS_MB, "MB"),
        Figure("re-import the same invoices (nothing changes)", size, again_seconds, TARGET_SECONDS, "s"),
    ]
