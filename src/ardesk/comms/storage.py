"""Raw inbound mail on disk, under a name ardesk chose (the content's SHA-256), outside the web root.

The same bytes get the same name, so keeping a mail twice writes it once. The file is written
before the database row (a rolled-back ingest leaves a file that the retry reuses, never a row
pointing at nothing).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.utils import timezone

from ardesk.comms import conf


def keep_raw(raw: bytes) -> str:
    """Write the mail if it is not there yet; returns its name relative to ARDESK_FILES_DIR."""
    digest = hashlib.sha256(raw).hexdigest()
    relative = Path("mail") / timezone.now().strftime("%Y/%m") / f"{digest}.eml"
    existing = next(conf.mail_dir().glob(f"*/*/{digest}.eml"), None)
    if existing is not None:
        return str(existing.relative_to(conf.mail_dir().parent))
    target = conf.mail_dir().parent / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, prefix=".incoming-") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, target)  # atomic: a reader sees the whole mail or none
    return str(relative)


def read_raw(name: str) -> bytes:
    """The bytes of a kept mail; refuses a name that would lead outside the mail folder."""
    root = conf.mail_dir().resolve()
    path = (conf.mail_dir().parent / name).resolve()
    if root not in path.parents:
        raise FileNotFoundError(name)
    return path.read_bytes()
