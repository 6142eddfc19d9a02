"""Small real files for the demo's dispute documents, made in code: a one-page PDF and a PNG photo. Pure.

They pass the upload checks by content (a PDF is a PDF, a PNG a PNG), so the demo shows documents the
way a user's upload would be kept and served.
"""

from __future__ import annotations

import struct
import zlib


def pdf(title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF showing a title and some lines of text (Helvetica, A4)."""

    def escaped(text: str) -> str:
        plain = text.encode("latin-1", "replace").decode("latin-1")
        return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 16 Tf 60 780 Td ({escaped(title)}) Tj ET"]
    rows += [f"BT /F1 11 Tf 60 {750 - 18 * k} Td ({escaped(line)}) Tj ET" for k, line in enumerate(lines[:35])]
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, seed: int) -> bytes:
    """A valid RGB PNG: a brown carton on a grey floor with a dark crack across it (seed moves the crack)."""
    rows = bytearray()
    crack = seed % max(1, width // 2)
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            inside = width // 5 < x < 4 * width // 5 and height // 4 < y < 3 * height // 4
            on_crack = inside and abs((x - width // 5 - crack) - (y - height // 4)) <= 1
            rows += bytes((40, 30, 20) if on_crack else (176, 132, 84) if inside else (150, 150, 150))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + _chunk(
        b"IEND", b"")
