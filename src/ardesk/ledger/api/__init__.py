"""The ledger over the API: invoices, credit memos, payments (documents.py); applications and
write-offs (entries.py). ardesk.api mounts each router under its own prefix."""

from ardesk.ledger.api.documents import credit_memos, invoices, payments
from ardesk.ledger.api.entries import applications, write_offs

__all__ = ["applications", "credit_memos", "invoices", "payments", "write_offs"]
