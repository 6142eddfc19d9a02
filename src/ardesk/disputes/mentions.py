"""@mentions in comments. Pure: the service looks the names up among active users."""

from __future__ import annotations

import re

# A mention starts a word (so an e-mail address is not one) and uses the characters Django allows in usernames.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]{1,150})")


def parse_mentions(text: str) -> list[str]:
    """Usernames mentioned in `text`, lower-cased, first appearance first, each once.

    Trailing punctuation ("thanks @ana.") is not part of the name.
    """
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".+-").lower()
        if name:
            seen.setdefault(name, None)
    return list(seen)
