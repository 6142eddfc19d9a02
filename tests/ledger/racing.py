"""Run work in real threads, each on its own database connection, released together by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections

from ardesk.errors import DomainError


@dataclass
class Outcome:
    succeeded: list[Any] = field(default_factory=list)
    refused: list[DomainError] = field(default_factory=list)
    crashed: list[BaseException] = field(default_factory=list)


def race(workers: list[Callable[[], Any]], *, timeout: float = 120) -> Outcome:
    """Start every worker at the same instant; a DomainError is a refusal, anything else a crash."""
    barrier = threading.Barrier(len(workers))
    guard = threading.Lock()
    outcome = Outcome()

    def run(work: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()  # connect first, so the race is on row locks, not on connecting
            barrier.wait(timeout=timeout)
            result = work()
        except DomainError as refusal:
            with guard:
                outcome.refused.append(refusal)
        except BaseException as failure:  # a deadlock or a broken barrier must fail the test, not vanish
            with guard:
                outcome.crashed.append(failure)
        else:
            with guard:
                outcome.succeeded.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,), daemon=True) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still waiting after {timeout}s (a deadlock?): {stuck}"
    return outcome
