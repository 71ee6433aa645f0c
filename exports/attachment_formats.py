"""How each kind of attachment is read for names, within limits of its own: PDF
(exports.attachment_pdf), Office and OpenDocument files (exports.attachment_office), pictures
(Pillow, pixels not decoded) and text files; files inside files (a PDF's embedded files, a
Word file's pictures) read like any attachment, to a bounded depth and size (`Nested`); and
how metadata is stripped where that is safe. exports.attachment_check runs the reading in a
child process."""

from __future__ import annotations

import codecs
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journal.anonymity_rules import FileReading as Reading

READ, METADATA, UNREADABLE, OTHER = "read", "metadata", "unreadable", "other"
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000
MAX_TEXT_FILE_BYTES = MAX_TEXT_CHARS  # a text file larger than this holds too much to check
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024
# A real document packs its XML by at most about 20 to 1; a zip bomb by thousands.
MAX_RATIO = 200
# Files inside files: a PDF inside a PDF inside a Word file is read, one more level is not.
MAX_DEPTH = 3
MAX_INNER_FILES = 200
MAX_INNER_BYTES = 150 * 1024 * 1024  # all the files inside one attachment, at every depth

Source = Path | io.BytesIO
EXIF_TEXT = {
    0x013B: "Artist",
    0x010E: "ImageDescription",
    0x8298: "Copyright",
    0x9C9B: "XPTitle",
    0x9C9C: "XPComment",
    0x9C9D: "XPAuthor",
    0x9C9E: "XPKeywords",
    0x9C9F: "XPSubject",
}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
EXIF_SUB_TEXT = {0x9286: "UserComment", 0xA430: "CameraOwnerName"}
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Control bytes a text file has (tab, line feed, form feed, carriage return, escape).
_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r\x1b")
# How much less a reading says: a file holding a picture (whose pixels are not read) is read
# no better than the picture, one holding a video no better than the video.
_WEAKER = {READ: 0, METADATA: 1, OTHER: 2}


class Unreadable(Exception):
    """A file that cannot be read within the limits; the message says why, plainly."""


@dataclass
class TextPieces:
    """Pieces gathered under one limit on the total text."""

    pieces: list[tuple[str, str]] = field(default_factory=list)
    chars: int = 0

    def add(self, where: str, text: Any) -> None:
        text = str(text or "").strip()
        if not text:
            return
        self.chars += len(text)
        if self.chars > MAX_TEXT_CHARS:
            raise Unreadable("it holds too much text to check")
        self.pieces.append((where, text))


@dataclass
class _Budget:
    """What the files inside one attachment may still use, at every depth together."""

    files: int = 0
    bytes: int = 0


@dataclass
class Nested:
    """Reads the files inside one file (`read`), and what they add to its reading: the
    weakest outcome among them (`merged`) and whether any records a GPS position."""

    depth: int = 0
    budget: _Budget = field(default_factory=_Budget)
    outcome: str = READ
    located: bool = False

    def read(self, name: str, data: bytes) -> Reading:
        if self.depth >= MAX_DEPTH:
            raise Unreadable(f"it holds files inside files more than {MAX_DEPTH} deep")
        self.budget.files += 1
        self.budget.bytes += len(data)
        if self.budget.files > MAX_INNER_FILES:
            raise Unreadable("it holds too many files inside it to check")
        if self.budget.bytes > MAX_INNER_BYTES:
            raise Unreadable("the files inside it are too large to check")
        try:
            reading = read_content(io.BytesIO(data), Nested(self.depth + 1, self.budget))
        except Unreadable as problem:
            raise Unreadable(f"the file {name} inside it: {problem}") from problem
        except (MemoryError, RecursionError):
            raise
        except Exception as error:  # a damaged file inside: said plainly, as for any file
            damaged = f"the file {name} inside it is damaged ({type(error).__name__})"
            raise Unreadable(damaged) from error
        self.outcome = self.merged(reading.outcome)
        self.located |= reading.located
        return reading

    def merged(self, outcome: str) -> str:
        return max(outcome, self.outcome, key=lambda o: _WEAKER.get(o, 0))


def sniff(head: bytes) -> str:
    """'pdf', 'zip', 'image', 'text' or 'other', from a file's first bytes. Text is what has
    no NUL byte and next to no control bytes (a .txt or .csv in any 8-bit encoding), or
    starts with a byte-order mark (UTF-16 text has NULs)."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    images = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
    if head.startswith(images) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(_TEXT_BOMS):
        return "text"
    controls = sum(1 for byte in head if (byte < 32 and byte not in _TEXT_CONTROLS) or byte == 127)
    if b"\x00" not in head and controls * 100 <= len(head):
        return "text"
    return "other"


def _head(source: Source) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return handle.read(1024)
    return source.getvalue()[:1024]


def read_content(source: Source, nested: Nested | None = None) -> Reading:
    """Read one file (a stored attachment, or the bytes of a file inside one) by what its
    first bytes say it is. Raises Unreadable, or what a damaged file makes a reader raise."""
    nested = nested or Nested()
    kind = sniff(_head(source))
    if kind == "pdf":
        return read_pdf(source, nested)
    if kind == "zip":
        from exports.attachment_office import read_office

        return read_office(source, nested)
    if kind == "image":
        return read_image(source)
    if kind == "text":
        return read_text(source)
    return Reading(OTHER)


def read_pdf(source: Source, nested: Nested | None = None) -> Reading:
    from pypdf.errors import LimitReachedError, PdfReadError

    from exports.attachment_pdf import read_pdf as read

    nested = nested or Nested()
    found = TextPieces()
    try:
        outcome = read(source, found.add, nested.read)
    except LimitReachedError as error:
        raise Unreadable("it unpacks to far more than its size (a PDF stream bomb)") from error
    except PdfReadError as error:
        raise Unreadable(f"it is not a readable PDF ({_short(error)})") from error
    return Reading(nested.merged(outcome), tuple(found.pieces), located=nested.located, kind="PDF")


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:80] or type(error).__name__


def read_text(source: Source) -> Reading:
    """A text file (.txt, .csv ...): each line, by its number. Its encoding is guessed: a
    byte-order mark, else UTF-8, else Windows-1252 (what Excel on Windows saves a .csv in,
    where ’ is one byte); what still cannot be decoded is replaced, never fatal."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            data = handle.read(MAX_TEXT_FILE_BYTES + 1)
    else:
        data = source.getvalue()
    if len(data) > MAX_TEXT_FILE_BYTES:
        raise Unreadable("it holds too much text to check")
    found = TextPieces()
    for number, line in enumerate(decoded(data).splitlines(), start=1):
        found.add(f"line {number}", line)
    return Reading(READ, tuple(found.pieces), kind="text file")


def decoded(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def xml_words(data: bytes) -> str:
    """The words of an XMP packet: its tags dropped (read without an XML parser on purpose;
    a packet is often not well-formed)."""
    text = data.decode("utf-8", "replace")
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())


def read_image(source: Source) -> Reading:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Unreadable("the picture is too large to check (far too many pixels)") from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise Unreadable("it is not a readable picture") from error
    with image:
        found = TextPieces()
        exif = image.getexif()
        for tag, label in EXIF_TEXT.items():
            found.add(f"EXIF {label}", _exif_text(exif.get(tag)))
        sub = exif.get_ifd(EXIF_IFD)
        for tag, label in EXIF_SUB_TEXT.items():
            found.add(f"EXIF {label}", _exif_text(sub.get(tag)))
        located = bool(exif.get_ifd(GPS_IFD))
        for key, value in image.info.items():
            if key == "xmp":
                found.add(
                    "XMP metadata",
                    xml_words(value if isinstance(value, bytes) else str(value).encode()),
                )
            elif key == "comment":
                found.add("comment", _exif_text(value))
            elif isinstance(value, str):
                found.add(f"{image.format} text {key}", value)
        kind = f"{image.format or 'picture'} picture"
    return Reading(METADATA, tuple(found.pieces), located=located, kind=kind)


def _exif_text(value: Any) -> str:
    """EXIF text as people wrote it: XP* tags are UTF-16, UserComment has an 8-byte charset."""
    if value is None:
        return ""
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(value)
    if isinstance(value, bytes):
        if value[:8] in (
            b"ASCII\x00\x00\x00",
            b"UNICODE\x00",
            b"\x00" * 8,
            b"JIS\x00\x00\x00\x00\x00",
        ):
            encoding = "utf-16" if value.startswith(b"UNICODE") else "latin-1"
            return value[8:].decode(encoding, "replace").strip("\x00 ")
        if len(value) > 1 and value[1:2] == b"\x00":
            return value.decode("utf-16-le", "replace").strip("\x00 ")
        return value.decode("utf-8", "replace").strip("\x00 ")
    return str(value)


def cleaned_copy(path: Path) -> bytes | None:
    """The file without its metadata, where that is safe to do here: a picture without EXIF,
    XMP or text chunks (its pixels as they are), a PDF without its document information and
    XMP (its pages as they are). None for anything else: it has to be replaced by hand."""
    with path.open("rb") as handle:
        kind = sniff(handle.read(1024))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "image":
            return _clean_image(path)
        if kind == "pdf":
            return _clean_pdf(path)
    return None


def _clean_image(path: Path) -> bytes | None:
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(path)
    with image:
        if getattr(image, "n_frames", 1) > 1 or image.format not in {"JPEG", "PNG", "WEBP"}:
            return None
        out = io.BytesIO()
        options: dict[str, Any] = {"format": image.format}
        if image.format == "JPEG":
            options["quality"] = "keep"  # the same quantisation: no visible loss
            options["comment"] = b""  # Pillow would copy the JPEG comment over otherwise
        image.save(out, **options)  # no exif=, no pnginfo=: the metadata stays behind
        return out.getvalue()


def _clean_pdf(path: Path) -> bytes | None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        return None
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    root = writer.root_object
    if NameObject("/Metadata") in root:
        del root[NameObject("/Metadata")]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
