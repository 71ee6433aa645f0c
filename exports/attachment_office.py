"""Reading Office files for names (zipfile and defusedxml: no DTD, so no entity tricks), within
limits of their own: Word, Excel and PowerPoint (docx, xlsx, pptx: their properties and text)
and OpenDocument (odt, ods, odp: meta.xml, content.xml and styles.xml, which holds headers and
footers); the pictures and files inside them (word/media, word/embeddings, Pictures/ ...) are
read like any attachment (exports.attachment_formats.Nested: a photo's EXIF, an embedded
workbook). Every part counts towards the same zip-bomb limits."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any

from exports.attachment_formats import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNZIPPED_BYTES,
    OTHER,
    READ,
    Nested,
    Reading,
    Source,
    TextPieces,
    Unreadable,
)

_OFFICE_TEXT = re.compile(
    r"^(?:docProps/(?:core|app|custom)\.xml"
    r"|word/(?:document|comments|footnotes|endnotes|header\d*|footer\d*|people)\.xml"
    r"|xl/(?:sharedStrings|comments\d*|worksheets/sheet\d+|workbook)\.xml"
    r"|xl/threadedComments/[^/]+\.xml|xl/persons/[^/]+\.xml"
    r"|ppt/(?:slides|notesSlides|comments)/[^/]+\.xml|ppt/commentAuthors\.xml)$"
)
# OpenDocument: the document's own parts, and those of an object inside it ("Object 1/").
_ODF_TEXT = re.compile(r"^(?:Object [^/]+/)?(?:meta|content|styles)\.xml$")
# Pictures and files inside: read like any attachment.
_INSIDE = re.compile(r"^(?:(?:word|xl|ppt)/(?:media|embeddings)/[^/]+|Pictures/[^/]+)$")
_OFFICE_TYPES = {"word/": "Word document", "xl/": "spreadsheet", "ppt/": "slides"}
_ODF = "application/vnd.oasis.opendocument."
_ODF_TYPES = {"text": "OpenDocument text", "spreadsheet": "OpenDocument spreadsheet"}
_ODF_TYPES["presentation"] = "OpenDocument presentation"
_ATTRIBUTES = {"author", "initials", "name", "displayName", "userId"}


def read_office(source: Source, nested: Nested) -> Reading:
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as error:
        raise Unreadable("it is not a readable Office file (a damaged zip)") from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise Unreadable(f"it has {len(members)} parts, too many to check")
        kind, odf = _kind(archive, members)
        if kind is None:
            return Reading(OTHER)
        texts = _ODF_TEXT if odf else _OFFICE_TEXT
        found = TextPieces()
        unzipped = 0
        for member in members:
            inside = _INSIDE.match(member.filename) is not None
            if not inside and not texts.match(member.filename):
                continue
            unzipped += member.file_size
            _check_member(member, unzipped)
            with archive.open(member) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                raise Unreadable(f"its part {member.filename} is too large to check")
            if inside:
                for where, text in nested.read(member.filename, data).pieces:
                    found.add(f"{member.filename} {where}", text)
                continue
            for where, text in _office_texts(member.filename, data, odf=odf):
                found.add(where, text)
    return Reading(nested.merged(READ), tuple(found.pieces), located=nested.located, kind=kind)


def _kind(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> tuple[str | None, bool]:
    """What the zip is ("Word document", "OpenDocument text"), and whether it is OpenDocument
    (its first part, "mimetype", says so); None for any other zip."""
    names = [m.filename for m in members]
    if "mimetype" in names:
        member = archive.getinfo("mimetype")
        if member.file_size <= 200:
            mimetype = archive.read(member).decode("ascii", "replace").strip()
            if mimetype.startswith(_ODF):
                kind = mimetype.removeprefix(_ODF).split("-", 1)[0]
                return _ODF_TYPES.get(kind, "OpenDocument file"), True
    for prefix, label in _OFFICE_TYPES.items():
        if any(n.startswith(prefix) for n in names):
            return label, False
    return None, False


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


def _office_texts(name: str, data: bytes, *, odf: bool = False) -> Iterator[tuple[str, str]]:
    """Properties (docProps, meta.xml): each by name; content: each paragraph (w:p, a:p;
    OpenDocument's text:p and text:h) or shared string (si) joined from its runs, since Word
    splits a name across runs ("Jo" "n")."""
    root = _parse(data)
    if name.startswith("docProps/") or (odf and name.endswith("meta.xml")):
        short = name.rsplit("/", 1)[-1]
        for element in root.iter():
            if len(element) == 0 and element.text and element.text.strip():
                yield f"{short} {_local(element.tag)}", element.text
        return
    if odf:
        blocks = [e for e in root.iter() if _local(e.tag) in {"p", "h"}]
        for block in blocks:
            yield name, "".join(block.itertext())
        for element in root.iter():  # who wrote a comment or a tracked change
            if _local(element.tag) == "creator" and element.text:
                yield f"{name} author", element.text
    else:
        blocks = [e for e in root.iter() if _local(e.tag) in {"p", "si", "is"}]
        for block in blocks:
            yield name, "".join(t.text or "" for t in block.iter() if _local(t.tag) == "t")
    # Attributes name people too: comment authors, people.xml, persons, a sheet's name.
    for element in root.iter():
        for key, value in element.attrib.items():
            if _local(key) in _ATTRIBUTES:
                yield f"{name} {_local(key)}", value
    if not blocks:
        yield name, " ".join(t.strip() for t in root.itertext() if t.strip())
