"""A mail's attachments become the dispute's documents, through the documents service that checks them.

One refused attachment (wrong type, too big) does not stop the others nor the mail: the refusal is
returned in words and kept on the message. The raw mail on disk still holds every attachment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from ardesk.comms.parsing import Attachment
from ardesk.disputes.models import Dispute, DocumentKind, DocumentSource
from ardesk.disputes.services.documents import attach_document
from ardesk.errors import DomainError

MAX_NOTE = 300


def attach_all(dispute: Dispute, attachments: Sequence[Attachment], subject: str, by: Any) -> list[str]:
    """Attach each file to the dispute; returns one line for each attachment that was refused."""
    refused: list[str] = []
    for item in attachments:
        try:
            with transaction.atomic():
                attach_document(dispute=dispute, filename=item.filename, data=item.data,
                                kind=DocumentKind.CORRESPONDENCE, source=DocumentSource.EMAIL,
                                note=f"attached to the e-mail: {subject}"[:MAX_NOTE], by=by)
        except DomainError as exc:
            refused.append(f"attachment {item.filename} refused: {exc.message}")
    return refused
