"""The demo's files: a photo of a signed checklist and a one-page PDF plan, made here so that the
demo needs no file from outside."""

from __future__ import annotations

import io
import struct
import zlib

from fpdf import FPDF


def photo() -> bytes:
    """A small real PNG: a green square, as if a photo of a signed checklist."""
    width = height = 64
    raw = b"".join(b"\x00" + b"\x30\xa0\x50" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """A one-page PDF: a title and numbered lines."""
    page = FPDF()
    page.add_page()
    page.set_font("Helvetica", size=14)
    page.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    page.set_font("Helvetica", size=11)
    for n, line in enumerate(lines, 1):
        page.cell(0, 8, f"{n}. {line}", new_x="LMARGIN", new_y="NEXT")
    buffer = io.BytesIO()
    page.output(buffer)
    return buffer.getvalue()
