"""Holding back the mail the disputes services send on their own (escalations, sales notes) during bulk work.

A bulk load (the demo, an import of history) runs the same services as a user, so rules fire and
escalations are recorded, but nobody should get a hundred mails about made-up disputes. Inside
`hold_mail()` those services still do and audit everything; they only leave the mail unsent (their
audit events say so). The hold is a context variable, so it covers only the code that runs inside it,
in this thread; `signals.send_on_commit` carries it into the after-commit work it queues there
(escalation rules look again once the load commits), so that work is quiet too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_HELD: ContextVar[bool] = ContextVar("ardesk_disputes_mail_held", default=False)


@contextmanager
def hold_mail() -> Iterator[None]:
    token = _HELD.set(True)
    try:
        yield
    finally:
        _HELD.reset(token)


def mail_held() -> bool:
    return _HELD.get()


def keeping_hold(fn: Callable[[], Any]) -> Callable[[], Any]:
    """`fn`, to be run later (after a commit) under the hold in force now, if any."""
    if not mail_held():
        return fn

    def held() -> Any:
        with hold_mail():
            return fn()

    return held
