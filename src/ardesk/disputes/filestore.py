"""Document bytes on disk, under a base folder outside the web root. Pure: no Django import.

Documents live in `<base>/documents/` (other apps keep their own folders beside it, e.g. raw mail). A
file arrives in `documents/.incoming/` while it is read (never more than the limit plus one byte), then
moves under a random name in a folder per day (`documents/2026/11/26/3f1c…`) with one atomic rename,
after an fsync, readable by the owner and group only. A crash leaves either nothing or a whole file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

CHUNK = 64 * 1024
DOCUMENTS = "documents"
INCOMING = ".incoming"
FILE_MODE = 0o640
DIR_MODE = 0o750


class Readable(Protocol):
    """What a source of bytes must offer: an open file, an upload, a BytesIO."""

    def read(self, size: int = ..., /) -> bytes: ...


Source = bytes | Readable


class TooLarge(Exception):
    """The source has more than `limit` bytes; the caller turns it into a refusal naming the file."""


@dataclass(frozen=True)
class Spooled:
    path: Path
    size: int
    sha256: str


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _chunks(source: Source, budget: int) -> Iterator[bytes]:
    """The source in chunks, never reading more than `budget` bytes of it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)[:budget]
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start:start + CHUNK])
        return
    seek = getattr(source, "seek", None)
    if seek is not None:
        with contextlib.suppress(OSError, ValueError):  # a pipe or socket: read from where it is
            seek(0)
    while budget > 0 and (chunk := source.read(min(CHUNK, budget))):
        budget -= len(chunk)
        yield chunk


@contextmanager
def spool(base: Path, source: Source, *, limit: int) -> Iterator[Spooled]:
    """Copy `source` to a temporary file under `base`, hashing it; TooLarge as soon as it passes `limit`.

    The temporary file is removed when the block ends, unless `store` has moved it into place."""
    incoming = incoming_dir(base)
    incoming.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    fd, name = tempfile.mkstemp(dir=incoming, prefix="up-")
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(source, limit + 1):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(size)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        yield Spooled(path, size, digest.hexdigest())
    finally:
        path.unlink(missing_ok=True)


def store(base: Path, spooled: Spooled, *, today: date) -> str:
    """Move a spooled file into place under a random name; returns its name relative to `base`."""
    folder = Path(DOCUMENTS, f"{today:%Y}", f"{today:%m}", f"{today:%d}")
    target_dir = base / folder
    target_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    relative = folder / secrets.token_hex(16)
    os.chmod(spooled.path, FILE_MODE)
    os.replace(spooled.path, base / relative)  # same file system: .incoming lives under base
    _fsync_dir(target_dir)
    return relative.as_posix()


def path_of(base: Path, storage_name: str) -> Path:
    """The file's path, refusing a stored name that would lead outside `base` (a damaged or forged row)."""
    root = base.resolve()
    path = (root / storage_name).resolve()
    if root not in path.parents:
        raise ValueError(f"storage name {storage_name!r} leaves the files folder")
    return path


def delete(base: Path, storage_name: str) -> None:
    path_of(base, storage_name).unlink(missing_ok=True)


def digest_of(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()


def incoming_dir(base: Path) -> Path:
    return base / DOCUMENTS / INCOMING


def stored_names(base: Path) -> Iterator[str]:
    """Every document file but the ones still arriving, as names relative to `base`."""
    root = base / DOCUMENTS
    if not root.exists():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != INCOMING]
        for name in files:
            yield (Path(folder) / name).relative_to(base).as_posix()
