"""Fetching the company's mailbox over IMAP: every unseen mail is ingested, then marked seen.

A mail is marked seen only after it was kept (or refused as not a mail, which another fetch would
refuse again), so a crash between the two fetches it again next time, and ingesting is idempotent.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
from dataclasses import dataclass, field
from typing import Any

from ardesk.comms import conf
from ardesk.comms.parsing import NotAMail
from ardesk.comms.services import MailTooLarge, receive_email
from ardesk.errors import DomainError

MAX_PER_FETCH = 500


class MailboxError(DomainError):
    pass


@dataclass
class FetchReport:
    fetched: int = 0
    kept: int = 0  # new messages (threaded, raised or unmatched)
    repeated: int = 0  # already kept before: nothing changed
    refused: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.fetched} fetched, {self.kept} new, {self.repeated} already kept, {len(self.refused)} refused"
        return text + "".join(f"\n  {line}" for line in self.refused)


def _connect(settings: conf.ImapSettings) -> imaplib.IMAP4:
    if not settings.host:
        raise MailboxError("no mailbox is configured: set ARDESK_IMAP_HOST", field="ARDESK_IMAP_HOST")
    try:
        if settings.ssl:
            return imaplib.IMAP4_SSL(settings.host, settings.port, timeout=settings.timeout)
        return imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
    except OSError as exc:
        raise MailboxError(f"cannot reach the mailbox {settings.host}:{settings.port}: {exc}",
                           field="ARDESK_IMAP_HOST") from exc


def _check(result: tuple[str, Any], doing: str) -> Any:
    status, data = result
    if status != "OK":
        raise MailboxError(f"the mailbox refused {doing}: {data!r}", field="ARDESK_IMAP_HOST")
    return data


def _raw_of(data: Any) -> bytes | None:
    for part in data or []:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def fetch_mailbox(*, by: Any = None, limit: int = MAX_PER_FETCH) -> FetchReport:
    """Ingest the unseen mail of the configured folder (at most `limit` a run) and mark each seen."""
    settings = conf.imap()
    report = FetchReport()
    client = _connect(settings)
    try:
        try:
            _check(client.login(settings.user, settings.password), "the sign-in")
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"the mailbox refused the sign-in of {settings.user!r}: {exc}",
                               field="ARDESK_IMAP_USER") from exc
        _fetch_unseen(client, settings, report, by=by, limit=limit)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailboxError(f"the mailbox {settings.host} stopped answering properly: {exc}",
                           field="ARDESK_IMAP_HOST") from exc
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return report


def _fetch_unseen(client: imaplib.IMAP4, settings: conf.ImapSettings, report: FetchReport, *, by: Any,
                  limit: int) -> None:
    _check(client.select(settings.folder), f"the folder {settings.folder!r}")
    data = _check(client.uid("SEARCH", "UNSEEN"), "the search for unseen mail")
    uids = [uid.decode() for uid in re.split(rb"\s+", (data[0] or b"").strip()) if uid][:limit]
    for uid in uids:
        raw = _raw_of(_check(client.uid("FETCH", uid, "(BODY.PEEK[])"), f"mail {uid}"))
        report.fetched += 1
        if raw is None:
            report.refused.append(f"mail {uid}: the server sent no content")
            continue
        try:
            _, new = receive_email(raw, source=f"imap:{settings.folder}", by=by)
            report.kept += new
            report.repeated += not new
        except (NotAMail, MailTooLarge) as exc:
            report.refused.append(f"mail {uid}: {exc.message}")
        _check(client.uid("STORE", uid, "+FLAGS", "(\\Seen)"), f"marking mail {uid} seen")
