"""What an uploaded file is, decided by its bytes, and whether ardesk keeps it. Pure: no Django import.

A file is judged by its content, never by the name or the content type the sender gave: the name only
has to agree with what the bytes say. Executables, scripts, HTML and SVG (which a browser would run)
are refused whatever they are called. ZIP containers (DOCX, XLSX, ODT …) are checked without
extracting anything to disk: entry count, declared total size, compression ratio, nested archives,
and a bounded read of every entry so a header that lies about its size is caught too.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ardesk.errors import DomainError

HEAD_BYTES = 8192
CHUNK = 64 * 1024
MAX_FILENAME = 150
FALLBACK_NAME = "document"


class FileRefused(DomainError):
    """A file ardesk will not keep. The message names the file and the reason."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f"{filename}: {reason}", field="file")
        self.filename, self.reason = filename, reason


@dataclass(frozen=True)
class FileType:
    name: str
    label: str
    content_type: str
    extensions: frozenset[str]
    inline: bool = False  # safe for a browser to show in the page (PDF, images); everything else downloads


def _t(name: str, label: str, content_type: str, extensions: str, inline: bool = False) -> FileType:
    return FileType(name, label, content_type, frozenset(extensions.split()), inline)


TYPES: dict[str, FileType] = {t.name: t for t in (
    _t("pdf", "a PDF document", "application/pdf", "pdf", inline=True),
    _t("png", "a PNG image", "image/png", "png", inline=True),
    _t("jpeg", "a JPEG image", "image/jpeg", "jpg jpeg jpe jfif", inline=True),
    _t("gif", "a GIF image", "image/gif", "gif", inline=True),
    _t("webp", "a WebP image", "image/webp", "webp", inline=True),
    _t("tiff", "a TIFF image", "image/tiff", "tif tiff"),
    _t("heic", "a HEIC photo", "image/heic", "heic heif"),
    _t("docx", "a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    _t("xlsx", "an Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    _t("pptx", "a PowerPoint deck", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
       "pptx"),
    _t("odt", "an OpenDocument text", "application/vnd.oasis.opendocument.text", "odt"),
    _t("ods", "an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
    # Legacy Office files share one container (OLE2); the name says which program made it.
    _t("ole2", "a legacy Office file", "application/x-ole-storage", "doc xls ppt msg"),
    _t("text", "plain text", "text/plain", "txt text log md"),
    _t("csv", "a CSV file", "text/csv", "csv tsv txt"),
    _t("xml", "an XML file", "application/xml", "xml txt"),
    _t("eml", "an e-mail message", "message/rfc822", "eml txt"),
    _t("zip", "a ZIP archive", "application/zip", "zip"),
)}
OLE2_CONTENT_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
                      "ppt": "application/vnd.ms-powerpoint", "msg": "application/vnd.ms-outlook"}

# What ardesk keeps unless settings.ARDESK_DOCUMENT_TYPES says otherwise. Bare ZIP archives are out:
# their content cannot be checked without unpacking it.
DEFAULT_ALLOWED = frozenset(TYPES) - {"zip"}

# Names a refused file might hide behind: the reason names them when the content is something else.
_EXECUTABLE_EXTENSIONS = frozenset((
    "exe", "dll", "com", "scr", "pif", "msi", "bat", "cmd", "ps1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta",
    "jar", "sh", "bash", "py", "pl", "rb", "php", "cpl", "lnk", "reg", "html", "htm", "xhtml", "shtml", "svg",
    "svgz", "mht", "mhtml"))


@dataclass(frozen=True)
class ZipLimits:
    """How far a ZIP container may go before it counts as a bomb."""

    max_entries: int = 2000
    max_total_bytes: int = 200 * 1024 * 1024  # declared uncompressed size of all entries together
    max_ratio: int = 100  # uncompressed : compressed, per entry over ratio_floor bytes and for the whole file
    ratio_floor: int = 1024 * 1024
    max_manifest_bytes: int = 1024 * 1024  # [Content_Types].xml or mimetype


@dataclass(frozen=True)
class Checked:
    """The verdict on a file that ardesk keeps: its type and the content type to serve it with."""

    type: FileType
    content_type: str


# --- file names ---------------------------------------------------------------------------------

_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')


def _limit(name: str, max_length: int) -> str:
    if len(name) <= max_length:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= 10:
        return stem[: max_length - len(ext) - 1] + "." + ext
    return name[:max_length]


def clean_filename(name: str, *, max_length: int = MAX_FILENAME) -> str:
    """A name safe to show and to offer as a download: no folders, no control or invisible characters
    (a right-to-left override can make "gpj.exe" look like "exe.jpg"), no leading dots, not empty."""
    text = unicodedata.normalize("NFC", name)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Zl", "Zp"):
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    text = _UNSAFE_CHARS.sub("_", " ".join("".join(kept).split()))
    text = text.strip(" .")
    text = _limit(text, max_length).strip(" .")
    return text or FALLBACK_NAME


def extension(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


# --- content --------------------------------------------------------------------------------------

def _refuse_dangerous(head: bytes, filename: str) -> None:
    """Executables and what a browser would run, whatever the name says."""
    if head.startswith(b"MZ"):
        raise FileRefused(filename, "is a Windows program (executable), which ardesk never keeps")
    if head.startswith((b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                        b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\x00asm", b"dex\n")):
        raise FileRefused(filename, "is a program (executable), which ardesk never keeps")
    if head.startswith(b"#!"):
        raise FileRefused(filename, "is a script, which ardesk never keeps")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    sample = head.lower()
    if b"<svg" in sample:
        raise FileRefused(filename, "is an SVG image, which can carry scripts: send it as PNG or PDF")
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")) or any(
            tag in sample for tag in (b"<script", b"<html", b"<iframe", b"<!doctype html")):
        raise FileRefused(filename, "is an HTML page or script, which a browser would run: send it as PDF")


def _is_heic(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis",
                                                   b"mif1", b"msf1")


def _magic(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if _is_heic(head):
        return "heic"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")  # tab, newlines, form feed and ^Z are text
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]")
_MAIL_HEADERS = (b"from:", b"date:", b"subject:", b"message-id:", b"mime-version:", b"received:",
                 b"return-path:", b"to:", b"delivered-to:")


def _is_text(stream: BinaryIO) -> bool:
    """No NUL or other control bytes. Such a file always decodes: as UTF-8, or else as Latin-1/Windows-1252
    (which maps every byte), so the control check is the whole test; `_utf8` picks the charset."""
    while chunk := stream.read(CHUNK):
        if _CONTROL.search(chunk):
            return False
    return True


def _looks_like_mail(head: bytes) -> bool:
    lines = head.lstrip(b"\r\n").splitlines()[:40]
    headers = []
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header continues the one above
        if not _HEADER_LINE.match(line):
            return False
        headers.append(line.split(b":", 1)[0].lower() + b":")
    found = set(headers) & set(_MAIL_HEADERS)
    return b"from:" in found and len(found) >= 2


def _text_kind(head: bytes, ext: str) -> str:
    if ext in ("csv", "tsv"):
        return "csv"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
        return "xml"
    if _looks_like_mail(head):
        return "eml"
    return "text"


# --- ZIP containers -------------------------------------------------------------------------------

_NESTED = frozenset(("zip", "jar", "docx", "xlsx", "pptx", "odt", "ods", "odp", "apk", "7z", "rar", "gz", "tgz"))
_OOXML_MAIN = (
    (b"wordprocessingml.document.main", "docx"),
    (b"spreadsheetml.sheet.main", "xlsx"),
    (b"presentationml.presentation.main", "pptx"),
)
_ODF = {b"application/vnd.oasis.opendocument.text": "odt",
        b"application/vnd.oasis.opendocument.spreadsheet": "ods"}


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, filename: str) -> tuple[int, bytes]:
    """Decompress one entry in chunks, stopping as soon as it yields more than it declared or `limit`.

    Returns the real size and its first bytes. zipfile already stops at the declared size and checks the
    CRC; counting here also catches a declared size that is itself over the limit before it is reached."""
    size, first = 0, b""
    with archive.open(info) as entry:
        while chunk := entry.read(CHUNK):
            if not first:
                first = chunk[:8]
            size += len(chunk)
            if size > info.file_size or size > limit:
                raise FileRefused(filename, f"the archive entry {info.filename!r} unpacks to more than it says "
                                            "(a zip bomb)")
    return size, first


def _check_zip(path: Path, filename: str, limits: ZipLimits) -> str:
    """The container's type (docx, xlsx, pptx, odt, ods or zip), or FileRefused for a bomb or a nest."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if not infos:
                raise FileRefused(filename, "is an empty archive")
            if len(infos) > limits.max_entries:
                raise FileRefused(filename, f"holds {len(infos)} entries; at most {limits.max_entries} are allowed")
            declared = sum(i.file_size for i in infos)
            if declared > limits.max_total_bytes:
                raise FileRefused(filename, f"would unpack to {declared:,} bytes; at most "
                                            f"{limits.max_total_bytes:,} are allowed (a zip bomb)")
            compressed = sum(i.compress_size for i in infos) or 1
            if declared > limits.ratio_floor and declared / compressed > limits.max_ratio:
                raise FileRefused(filename, f"is compressed {declared // compressed}:1; more than "
                                            f"{limits.max_ratio}:1 is treated as a zip bomb")
            names = {i.filename for i in infos}
            manifest = b""
            unpacked = 0
            for info in infos:
                if info.file_size > limits.ratio_floor and info.file_size / max(info.compress_size, 1) > \
                        limits.max_ratio:
                    raise FileRefused(filename, f"the entry {info.filename!r} is compressed more than "
                                                f"{limits.max_ratio}:1 (a zip bomb)")
                if info.is_dir():
                    continue
                if extension(info.filename.rsplit("/", 1)[-1]) in _NESTED:
                    raise FileRefused(filename, f"holds another archive ({info.filename!r}); nested archives are "
                                                "refused")
                size, first = _read_bounded(archive, info, limits.max_total_bytes - unpacked, filename)
                unpacked += size
                if first.startswith(b"PK\x03\x04"):
                    raise FileRefused(filename, f"holds another archive ({info.filename!r}); nested archives are "
                                                "refused")
                if info.filename in ("[Content_Types].xml", "mimetype") and size <= limits.max_manifest_bytes:
                    manifest = archive.read(info)
    except zipfile.BadZipFile as exc:
        raise FileRefused(filename, f"is a damaged archive ({exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise FileRefused(filename, f"is an archive ardesk cannot read ({exc})") from None
    if "[Content_Types].xml" in names:
        if b"macroEnabled" in manifest or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FileRefused(filename, "contains macros, which ardesk never keeps: save it without macros")
        for marker, kind in _OOXML_MAIN:
            if marker in manifest:
                return kind
    if "mimetype" in names and manifest.strip() in _ODF:
        return _ODF[manifest.strip()]
    return "zip"


# --- the verdict ----------------------------------------------------------------------------------

def identify(path: Path, filename: str, *, limits: ZipLimits = ZipLimits()) -> str:
    """The type name of the file at `path` (a key of TYPES), from its bytes alone; FileRefused for anything
    dangerous or unrecognised."""
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
        if not head:
            raise FileRefused(filename, "is empty")
        kind = _magic(head)
        if kind == "zip":
            return _check_zip(path, filename, limits)
        if kind is not None:
            return kind
        _refuse_dangerous(head, filename)
        stream.seek(0)
        if not _is_text(stream):
            raise FileRefused(filename, "is of a type ardesk does not recognise (not a document, image or text)")
    return _text_kind(head, extension(filename))


def _describe(ext: str) -> str:
    for kind in TYPES.values():
        if ext in kind.extensions:
            return kind.label
    return f"a .{ext} file"


def check(path: Path, filename: str, *, allowed: Iterable[str] = DEFAULT_ALLOWED,
          limits: ZipLimits = ZipLimits()) -> Checked:
    """Whether ardesk keeps the file at `path`, sent under `filename` (already cleaned).

    Refused: what the bytes do not show to be an allowed type; a name that says another type than the
    bytes ("invoice.pdf" that is a program); executables, scripts, HTML and SVG under any name."""
    ext = extension(filename)
    name = identify(path, filename, limits=limits)
    kind = TYPES[name]
    if ext in _EXECUTABLE_EXTENSIONS:
        raise FileRefused(filename, f"has a program's or web page's name (.{ext}); ardesk never keeps those")
    if ext and ext not in kind.extensions:
        if name in ("text", "csv", "eml", "xml") and not any(ext in t.extensions for t in TYPES.values()):
            pass  # a text file under an unusual name (.dat, .ini) is still only text
        else:
            raise FileRefused(filename, f"is named like {_describe(ext)} but its content is {kind.label}")
    if name not in set(allowed):
        raise FileRefused(filename, f"is {kind.label}, which ardesk does not keep")
    content_type = OLE2_CONTENT_TYPES.get(ext, kind.content_type) if name == "ole2" else kind.content_type
    if name in ("text", "csv"):
        content_type += "; charset=utf-8" if _utf8(path) else "; charset=windows-1252"
    return Checked(kind, content_type)


def _utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        try:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True
