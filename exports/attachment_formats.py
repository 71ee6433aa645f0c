"""How each kind of attachment is read for names, within limits of its own: PDF (pypdf), Office
files (zipfile and defusedxml), pictures (Pillow, pixels not decoded); and how metadata is
stripped where that is safe. exports.attachment_check runs the reading in a child process."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journal.anonymity_rules import FileReading as Reading

READ, METADATA, UNREADABLE, OTHER = "read", "metadata", "unreadable", "other"
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PAGES = 1000
MAX_TEXT_CHARS = 5_000_000
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024
# A real document packs its XML by at most about 20 to 1; a zip bomb by thousands.
MAX_RATIO = 200
MAX_ANNOTATIONS = 5000

PDF_FIELDS = ("/Author", "/Title", "/Subject", "/Keywords", "/Creator", "/Producer")
_OFFICE_TEXT = re.compile(
    r"^(?:docProps/(?:core|app|custom)\.xml"
    r"|word/(?:document|comments|footnotes|endnotes|header\d*|footer\d*|people)\.xml"
    r"|xl/(?:sharedStrings|comments\d*|worksheets/sheet\d+|workbook)\.xml"
    r"|xl/threadedComments/[^/]+\.xml|xl/persons/[^/]+\.xml"
    r"|ppt/(?:slides|notesSlides|comments)/[^/]+\.xml|ppt/commentAuthors\.xml)$"
)
_OFFICE_TYPES = {"word/": "Word document", "xl/": "spreadsheet", "ppt/": "slides"}
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


class Unreadable(Exception):
    """A file that cannot be read within the limits; the message says why, plainly."""


@dataclass
class _Text:
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


def sniff(head: bytes) -> str:
    """'pdf', 'zip', 'image' or 'other', from a file's first bytes."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    images = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
    if head.startswith(images) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    return "other"


def read_pdf(path: Path) -> Reading:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("it is protected by a password")
        found = _Text()
        info = reader.metadata or {}
        for key in PDF_FIELDS:
            found.add(f"PDF metadata {key[1:]}", info.get(key))
        catalog = reader.trailer["/Root"]
        xmp = catalog.get("/Metadata")
        if xmp is not None:
            data = xmp.get_object().get_data()[:MAX_MEMBER_BYTES]
            found.add("PDF XMP metadata", _xml_words(data))
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            raise Unreadable(f"it has {pages} pages, more than the {MAX_PAGES} that can be checked")
        text = 0
        for number, page in enumerate(reader.pages, start=1):
            page_text = page.extract_text() or ""
            if not page_text.strip():
                _decode_contents(page)  # pypdf's text extraction hides why it found nothing
            text += len(page_text.strip())
            found.add(f"page {number} text", page_text)
            for where, words in _annotations(page, number):
                found.add(where, words)
    except LimitReachedError as error:
        raise Unreadable("it unpacks to far more than its size (a PDF stream bomb)") from error
    except PdfReadError as error:
        raise Unreadable(f"it is not a readable PDF ({_short(error)})") from error
    return Reading(READ if text else METADATA, tuple(found.pieces), kind="PDF")


def _decode_contents(page: Any) -> None:
    """Decode a page's content streams: a stream bomb raises LimitReachedError here."""
    contents = page.get("/Contents")
    if contents is None:
        return
    contents = contents.get_object()
    for stream in contents if isinstance(contents, list) else [contents]:
        stream.get_object().get_data()


def _annotations(page: Any, number: int) -> Iterator[tuple[str, str]]:
    """Comments on a page and who wrote them (/T is the author of a comment)."""
    annotations = page.get("/Annots")
    if annotations is None:
        return
    for index, annotation in enumerate(annotations.get_object()):
        if index >= MAX_ANNOTATIONS:
            raise Unreadable("it has too many comments to check")
        annotation = annotation.get_object()
        for key, what in (("/T", "comment author"), ("/Contents", "comment")):
            value = annotation.get(key)
            if value is not None:
                yield f"page {number} {what}", str(value)


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:80] or type(error).__name__


def read_office(path: Path) -> Reading:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise Unreadable("it is not a readable Office file (a damaged zip)") from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise Unreadable(f"it has {len(members)} parts, too many to check")
        names = [m.filename for m in members]
        kind = next(
            (
                label
                for prefix, label in _OFFICE_TYPES.items()
                if any(n.startswith(prefix) for n in names)
            ),
            None,
        )
        if kind is None:
            return Reading(OTHER)
        found = _Text()
        unzipped = 0
        for member in members:
            if not _OFFICE_TEXT.match(member.filename):
                continue
            unzipped += member.file_size
            _check_member(member, unzipped)
            with archive.open(member) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                raise Unreadable(f"its part {member.filename} is too large to check")
            for where, text in _office_texts(member.filename, data):
                found.add(where, text)
    return Reading(READ, tuple(found.pieces), kind=kind)


def _check_member(member: zipfile.ZipInfo, unzipped: int) -> None:
    if member.file_size > MAX_MEMBER_BYTES or unzipped > MAX_UNZIPPED_BYTES:
        raise Unreadable(f"its part {member.filename} is too large to check")
    if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
        member.compress_size, 1
    ):
        raise Unreadable(f"it unpacks to far more than its size (a zip bomb: {member.filename})")


def _parse(data: bytes) -> Any:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        return fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError) as error:
        raise Unreadable(f"a part of it is not readable XML ({type(error).__name__})") from error


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _office_texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """docProps: each property by name; content: each paragraph (w:p, a:p) or shared string
    (si) joined from its runs, since Word splits a name across runs ("Jo" "n")."""
    root = _parse(data)
    short = name.rsplit("/", 1)[-1] if name.startswith("docProps/") else name
    if name.startswith("docProps/"):
        for element in root.iter():
            if len(element) == 0 and element.text and element.text.strip():
                yield f"{short} {_local(element.tag)}", element.text
        return
    blocks = [e for e in root.iter() if _local(e.tag) in {"p", "si", "is"}]
    if blocks:
        for block in blocks:
            yield name, "".join(t.text or "" for t in block.iter() if _local(t.tag) == "t")
    # Attributes name people too: comment authors, people.xml, persons.
    for element in root.iter():
        for key, value in element.attrib.items():
            if _local(key) in {"author", "initials", "name", "displayName", "userId"}:
                yield f"{name} {_local(key)}", value
    if not blocks:
        yield name, " ".join(t.strip() for t in root.itertext() if t.strip())


def _xml_words(data: bytes) -> str:
    """The words of an XMP packet: its tags dropped (read without an XML parser on purpose;
    a packet is often not well-formed)."""
    text = data.decode("utf-8", "replace")
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())


def read_image(path: Path) -> Reading:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Unreadable("the picture is too large to check (far too many pixels)") from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise Unreadable("it is not a readable picture") from error
    with image:
        found = _Text()
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
                    _xml_words(value if isinstance(value, bytes) else str(value).encode()),
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
