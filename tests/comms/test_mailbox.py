"""`ardesk mail fetch` and `ardesk mail ingest` against files and a real IMAP4 server started by the test."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ardesk.comms import hooks, tasks
from ardesk.comms.mailbox import MailboxError, fetch_mailbox
from ardesk.comms.models import Message, MessageStatus
from ardesk.disputes.models import Dispute
from tests.comms.conftest import MAIL, Company, eml
from tests.comms.imap_server import ImapServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def imap(settings: Any) -> Iterator[ImapServer]:
    with ImapServer() as server:
        settings.ARDESK_IMAP_HOST, settings.ARDESK_IMAP_PORT = "127.0.0.1", server.port
        settings.ARDESK_IMAP_USER, settings.ARDESK_IMAP_PASSWORD = "ar", "s3cret pass"
        settings.ARDESK_IMAP_FOLDER, settings.ARDESK_IMAP_SSL, settings.ARDESK_IMAP_TIMEOUT = "INBOX", False, 5
        yield server


def test_fetch_ingests_the_unseen_mail_and_marks_it_seen(imap: ImapServer, company: Company) -> None:
    # given: two new mails and one the mailbox has already seen
    box = imap.mailbox
    first, second = box.deliver(eml("plain_dispute.eml")), box.deliver(eml("unknown_sender.eml"))
    old = box.deliver(eml("html_only.eml"))
    box.seen.add(old)
    # when
    report = fetch_mailbox()
    # then
    assert (report.fetched, report.kept, report.repeated, report.refused) == (2, 2, 0, [])
    assert box.seen == {first, second, old}
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.RECEIVED, MessageStatus.UNMATCHED}
    assert Message.objects.get(status=MessageStatus.RECEIVED).source == "imap:INBOX"
    assert any(c.split()[1:3] == ["UID", "FETCH"] and "BODY.PEEK[]" in c for c in box.commands)


def test_a_second_fetch_finds_nothing_new(imap: ImapServer, company: Company) -> None:
    imap.mailbox.deliver(eml("plain_dispute.eml"))
    fetch_mailbox()
    report = fetch_mailbox()
    assert report.fetched == 0 and Dispute.objects.count() == 1


def test_mail_seen_by_someone_else_but_kept_before_changes_nothing(imap: ImapServer, company: Company) -> None:
    # the same mail delivered twice (a forward, a retry after a crash before STORE): kept once
    imap.mailbox.deliver(eml("plain_dispute.eml"))
    imap.mailbox.deliver(eml("plain_dispute.eml"))
    report = fetch_mailbox()
    assert (report.kept, report.repeated) == (1, 1) and Message.objects.count() == 1


def test_something_that_is_not_a_mail_is_reported_and_marked_seen(imap: ImapServer, company: Company) -> None:
    uid = imap.mailbox.deliver(b"garbage without headers")
    report = fetch_mailbox()
    assert report.refused == [f"mail {uid}: not an e-mail message: it has no From address"]
    assert uid in imap.mailbox.seen and not Message.objects.exists()


def test_a_wrong_password_is_a_clear_error(imap: ImapServer, settings: Any, company: Company) -> None:
    settings.ARDESK_IMAP_PASSWORD = "wrong"
    with pytest.raises(MailboxError, match="refused the sign-in of 'ar'"):
        fetch_mailbox()


def test_no_mailbox_configured_is_a_clear_error(settings: Any) -> None:
    settings.ARDESK_IMAP_HOST = ""
    with pytest.raises(MailboxError, match="set ARDESK_IMAP_HOST"):
        fetch_mailbox()


def test_the_fetch_command_prints_the_report(imap: ImapServer, company: Company) -> None:
    imap.mailbox.deliver(eml("plain_dispute.eml"))
    out = StringIO()
    call_command("mail", "fetch", stdout=out)
    assert out.getvalue().strip() == "1 fetched, 1 new, 0 already kept, 0 refused"


def test_the_ingest_command_files_each_mail_and_says_where(company: Company) -> None:
    out, err = StringIO(), StringIO()
    call_command("mail", "ingest", str(MAIL / "plain_dispute.eml"), str(MAIL / "unknown_sender.eml"),
                 stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(f"plain_dispute.eml: received (raised a dispute) ({Dispute.objects.get().number})")
    assert "unknown_sender.eml: received (not matched) (no dispute) — unknown sender" in lines[1]
    call_command("mail", "ingest", str(MAIL / "plain_dispute.eml"), stdout=out)
    assert out.getvalue().splitlines()[-1].endswith("already kept: nothing changed")


def test_the_ingest_command_fails_on_a_missing_file(company: Company) -> None:
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("mail", "ingest", str(MAIL / "missing.eml"), stdout=StringIO(), stderr=StringIO())


def test_the_fetch_task_runs_in_process_without_a_broker(imap: ImapServer, company: Company) -> None:
    imap.mailbox.deliver(eml("plain_dispute.eml"))
    result = tasks.fetch_mail.apply()  # in this process, whatever broker is set
    assert result.get() == "1 fetched, 1 new, 0 already kept, 0 refused"


def test_the_beat_entry_exists_only_with_a_broker_and_a_mailbox(settings: Any) -> None:
    settings.CELERY_BROKER_URL, settings.ARDESK_IMAP_HOST = "", "imap.example"
    assert hooks.beat_schedule() == {}
    settings.CELERY_BROKER_URL, settings.ARDESK_IMAP_EVERY_MINUTES = "redis://127.0.0.1:6379/0", 10
    assert hooks.beat_schedule() == {"comms.fetch-mail": {"task": "ardesk.comms.tasks.fetch_mail", "schedule": 600.0}}
