"""Small files of every kind the document checks judge, built in memory (or streamed, for the bombs)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x01" * 200
HTML = b"<!DOCTYPE html>\n<html><body><script>fetch('/api/v1/customers')</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>\n'
CSV = b"invoice,amount\nINV-1,12.50\nINV-2,7.00\n"
TEXT = "Lieferung unvollständig, 3 Kartons fehlen.\n".encode()
LATIN1_TEXT = "Réclamation: quantité reçue 8 au lieu de 10.\n".encode("latin-1")
EML = (b"From: Sue <sue@southside.example>\r\nTo: ar@ardesk.example\r\nSubject: INV-1 short delivery\r\n"
       b"Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@southside.example>\r\n\r\nTwo boxes missing.\r\n")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + \
        chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 64 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00" \
      b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32

_OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
_OOXML_PART = {"docx": "/word/document.xml", "xlsx": "/xl/workbook.xml", "xlsm": "/xl/workbook.xml"}


def _entry(name: str) -> zipfile.ZipInfo:
    """A ZIP entry with a fixed date, so the same content always makes the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def ooxml(kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office Open XML package of `kind` (docx, xlsx, or the macro-enabled xlsm)."""
    part = _OOXML_PART[kind]
    types = (f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             f'<Override PartName="{part}" ContentType="{_OOXML_TYPES[kind]}"/></Types>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("[Content_Types].xml"), types)
        archive.writestr(_entry(part.lstrip("/")), "<document>Delivery note 4711: 10 pallets</document>" * 20)
        for name, data in (extra or {}).items():
            archive.writestr(_entry(name), data)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", date_time=(2026, 1, 1, 0, 0, 0)),
                         "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr(_entry("content.xml"), "<office:document-content>Contract terms</office:document-content>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("notes.txt"), "hello")
    return buffer.getvalue()


def zeros_zip(path: Path, *, megabytes: int, name: str = "zeros.xml") -> Path:
    """A ZIP with one entry of `megabytes` MB of zeros, compressed as it is written (never held in memory)."""
    block = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open(name, "w", force_zip64=megabytes >= 2048) as entry:
        for _ in range(megabytes):
            entry.write(block)
    return path


def lying_zip(path: Path) -> Path:
    """A DOCX-looking ZIP whose headers say an entry holds 1,000 bytes when it unpacks to 8 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", bytes(8 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    real = struct.pack("<I", 8 * 1024 * 1024)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + offset:start + offset + 4] == real:
                data[start + offset:start + offset + 4] = struct.pack("<I", 1000)
            start += 4
    path.write_bytes(bytes(data))
    return path
