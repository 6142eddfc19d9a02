"""Which message the customer is owed next on a dispute, so the Messages form offers it. Pure.

A customer hears that their dispute was received, and hears the outcome (with the reason, when it was
rejected): those two are the ones an analyst forgets. Anything else is the analyst's choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Suggestion:
    template_code: str
    why: str


def owed_message(*, status: str, outcome: str, resolved_at: datetime | None,
                 sent: Iterable[tuple[str, datetime]]) -> Suggestion | None:
    """The template the customer is owed: `sent` holds (template code, when) of the mail that left for them."""
    sent = list(sent)
    if status in ("resolved", "closed") and outcome and resolved_at is not None:
        code = f"resolution_{outcome}"
        if not any(c == code and at >= resolved_at for c, at in sent):
            reason = " and why" if outcome == "rejected" else ""
            return Suggestion(code, f"The customer has not been told of the outcome{reason} yet.")
        return None
    if status not in ("resolved", "closed") and not any(c == "acknowledge" for c, _ in sent):
        return Suggestion("acknowledge", "The customer has not been told that the dispute was received.")
    return None
