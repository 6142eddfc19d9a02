"""The mail settings, read from Django settings with the environment as the default.

They live here rather than in ardesk.settings so the app carries its own configuration; a deployment
may still set any of them in settings (tests do, with pytest-django's `settings` fixture).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


def _setting(name: str, default: str) -> str:
    return str(getattr(settings, name, os.environ.get(name, default)))


def _flag(name: str, default: bool) -> bool:
    value = getattr(settings, name, None)
    if isinstance(value, bool):
        return value
    raw = os.environ.get(name) if value is None else str(value)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str
    ssl: bool
    timeout: float


def imap() -> ImapSettings:
    """ARDESK_IMAP_HOST, _PORT (993 with SSL, else 143), _USER, _PASSWORD, _FOLDER (INBOX), _SSL (on)."""
    ssl = _flag("ARDESK_IMAP_SSL", True)
    return ImapSettings(
        host=_setting("ARDESK_IMAP_HOST", ""), port=int(_setting("ARDESK_IMAP_PORT", "993" if ssl else "143")),
        user=_setting("ARDESK_IMAP_USER", ""), password=_setting("ARDESK_IMAP_PASSWORD", ""),
        folder=_setting("ARDESK_IMAP_FOLDER", "INBOX"), ssl=ssl,
        timeout=float(_setting("ARDESK_IMAP_TIMEOUT", "30")),
    )


def mail_domain() -> str:
    """The domain of our Message-IDs: ARDESK_MAIL_DOMAIN, else the domain of DEFAULT_FROM_EMAIL."""
    return _setting("ARDESK_MAIL_DOMAIN", "") or settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "ardesk.localhost"


def mail_dir() -> Path:
    """Where raw inbound mail is kept: ARDESK_FILES_DIR / "mail" (outside the web root)."""
    return Path(settings.ARDESK_FILES_DIR) / "mail"


def max_mail_bytes() -> int:
    return int(_setting("ARDESK_MAIL_MAX_BYTES", str(40 * 1024 * 1024)))


def fetch_every_minutes() -> int:
    return int(_setting("ARDESK_IMAP_EVERY_MINUTES", "5"))


def smtp_timeout() -> float:
    return float(getattr(settings, "EMAIL_TIMEOUT", None) or _setting("ARDESK_SMTP_TIMEOUT", "30"))
