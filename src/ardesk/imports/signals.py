"""Sent inside an import's transaction once its rows are written, for data other apps derive from them."""

from __future__ import annotations

from django.dispatch import Signal

batch_applied = Signal()  # kind (imports.report.Kind), batch (ImportBatch); not sent for a dry run
