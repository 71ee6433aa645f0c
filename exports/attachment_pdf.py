"""Reading a PDF for names (pypdf), within limits of its own: the document information and XMP,
the text of every page and the comments on it, the values of a filled form (AcroForm fields
and an XFA form's data), the bookmarks, and every file embedded in it (the EmbeddedFiles
name tree and file-attachment comments), each read like any attachment by `inner`
(exports.attachment_formats.read_inner: bounded depth and size).

A filled form keeps what was typed in each field's value, not in the page's text; a reader
shows it all the same, so an assessor would see it. Each walk of the PDF's own structures
(fields, bookmarks, name trees) keeps the objects it has met, since a hostile file can make
them point in circles, and stops at MAX_OBJECTS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from exports.attachment_formats import METADATA, READ, Reading, Unreadable, xml_words

MAX_PAGES = 1000
MAX_OBJECTS = 5000  # comments, fields, bookmarks and embedded files met in one walk
MAX_STREAM_BYTES = 50 * 1024 * 1024  # of an XMP packet, an XFA form or an embedded file
PDF_FIELDS = ("/Author", "/Title", "/Subject", "/Keywords", "/Creator", "/Producer")

# (what the file inside is called, its bytes) -> its reading merged into the PDF's
Inner = Callable[[str, bytes], Reading]


def read_pdf(source: Any, add: Callable[[str, Any], None], inner: Inner) -> str:
    """Everything in the PDF that can name someone, given to `add` as (where, text); the
    outcome: READ with a text layer, METADATA without (a scan). Raises what pypdf raises
    (the caller says it plainly); exports.attachment_formats.Unreadable for a limit."""
    from pypdf import PdfReader

    reader = PdfReader(source, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("it is protected by a password")
    info = reader.metadata or {}
    for key in PDF_FIELDS:
        add(f"PDF metadata {key[1:]}", info.get(key))
    catalog = reader.trailer["/Root"]
    xmp = catalog.get("/Metadata")
    if xmp is not None:
        add("PDF XMP metadata", xml_words(xmp.get_object().get_data()[:MAX_STREAM_BYTES]))
    pages = len(reader.pages)
    if pages > MAX_PAGES:
        raise Unreadable(f"it has {pages} pages, more than the {MAX_PAGES} that can be checked")
    text = 0
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text() or ""
        if not page_text.strip():
            _decode_contents(page)  # pypdf's text extraction hides why it found nothing
        text += len(page_text.strip())
        add(f"page {number} text", page_text)
        for where, words in _annotations(page, number, inner):
            add(where, words)
    # Labels never start "PDF ": only the document information and XMP can be cleaned here.
    for where, words in _form(catalog):
        add(where, words)
    for title in _bookmarks(catalog):
        add("bookmark", title)
    for where, words in _embedded(catalog, inner):
        add(where, words)
    return READ if text else METADATA


def _decode_contents(page: Any) -> None:
    """Decode a page's content streams: a stream bomb raises LimitReachedError here."""
    contents = page.get("/Contents")
    if contents is None:
        return
    contents = contents.get_object()
    for stream in contents if isinstance(contents, list) else [contents]:
        stream.get_object().get_data()


class _Walk:
    """The objects one walk has met: each once, at most MAX_OBJECTS."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seen: set[int] = set()

    def first_time(self, obj: Any) -> bool:
        key = id(obj)  # pypdf keeps each object it has read: the same object, the same id
        if key in self.seen:
            return False
        self.seen.add(key)
        if len(self.seen) > MAX_OBJECTS:
            raise Unreadable(f"it has too many {self.what} to check")
        return True


def _resolved(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _annotations(page: Any, number: int, inner: Inner) -> Iterator[tuple[str, str]]:
    """Comments on a page and who wrote them (/T is the author of a comment), and a file
    attached as a comment (read like an embedded file)."""
    annotations = page.get("/Annots")
    if annotations is None:
        return
    walk = _Walk("comments")
    for annotation in _resolved(annotations):
        annotation = _resolved(annotation)
        if not walk.first_time(annotation) or not hasattr(annotation, "get"):
            continue
        for key, what in (("/T", "comment author"), ("/Contents", "comment")):
            value = annotation.get(key)
            if value is not None:
                yield f"page {number} {what}", str(value)
        if annotation.get("/Subtype") == "/FileAttachment" and annotation.get("/FS") is not None:
            yield from _file_spec(_resolved(annotation["/FS"]), inner)


def _value(value: Any) -> str:
    """A field's value as shown: text, a choice (a name without its slash), or several."""
    value = _resolved(value)
    if isinstance(value, list):
        return "; ".join(_value(v) for v in value[:MAX_OBJECTS])
    text = str(value)
    return text[1:] if text.startswith("/") else text


def _form(catalog: Any) -> Iterator[tuple[str, str]]:
    """What was typed into a filled form: each field's value, default value and tooltip
    (fields nest: /Kids), and an XFA form's data packet."""
    form = _resolved(catalog.get("/AcroForm"))
    if not hasattr(form, "get"):
        return
    walk = _Walk("form fields")
    # (field, its parent's name): a field's full name is its parents' names and its own.
    pending = [(f, "") for f in _resolved(form.get("/Fields")) or []]
    while pending:
        field, parent = pending.pop()
        field = _resolved(field)
        if not hasattr(field, "get") or not walk.first_time(field):
            continue
        own = " ".join(str(field.get("/T") or "").split())
        label = ".".join(filter(None, [parent, own]))[:60]
        where = f"form field {label}".strip()
        for key in ("/V", "/DV", "/TU"):
            if field.get(key) is not None:
                yield where, _value(field[key])
        pending += [(kid, label) for kid in _resolved(field.get("/Kids")) or []]
    xfa = _resolved(form.get("/XFA"))
    streams = xfa[1::2] if isinstance(xfa, list) else [xfa] if xfa is not None else []
    for stream in streams[:MAX_OBJECTS]:
        stream = _resolved(stream)
        if hasattr(stream, "get_data"):
            yield "XFA form data", xml_words(stream.get_data()[:MAX_STREAM_BYTES])


def _bookmarks(catalog: Any) -> Iterator[str]:
    """Every bookmark's title: /First is the first child, /Next the next sibling."""
    outlines = _resolved(catalog.get("/Outlines"))
    if not hasattr(outlines, "get"):
        return
    walk = _Walk("bookmarks")
    pending = [outlines.get("/First")]
    while pending:
        item = _resolved(pending.pop())
        if not hasattr(item, "get") or not walk.first_time(item):
            continue
        if item.get("/Title") is not None:
            yield str(item["/Title"])
        pending += [item.get("/Next"), item.get("/First")]


def _embedded(catalog: Any, inner: Inner) -> Iterator[tuple[str, str]]:
    """The files in the EmbeddedFiles name tree: /Names pairs a name with a file
    specification, /Kids holds more of the tree."""
    names = _resolved(catalog.get("/Names"))
    if not hasattr(names, "get"):
        return
    walk = _Walk("embedded files")
    pending = [names.get("/EmbeddedFiles")]
    while pending:
        node = _resolved(pending.pop())
        if not hasattr(node, "get") or not walk.first_time(node):
            continue
        pairs = list(_resolved(node.get("/Names")) or [])
        for spec in pairs[1::2]:
            spec = _resolved(spec)
            if hasattr(spec, "get") and walk.first_time(spec):
                yield from _file_spec(spec, inner)
        pending += list(_resolved(node.get("/Kids")) or [])


def _file_spec(spec: Any, inner: Inner) -> Iterator[tuple[str, str]]:
    """One embedded file: its name and description as given, then what it holds."""
    if not hasattr(spec, "get"):  # a bare file name: nothing embedded
        yield "embedded file name", str(spec)
        return
    name = str(spec.get("/UF") or spec.get("/F") or "a file")
    yield "embedded file name", name
    if spec.get("/Desc") is not None:
        yield f"embedded file {name} description", str(spec["/Desc"])
    streams = _resolved(spec.get("/EF"))
    if not hasattr(streams, "get"):
        return
    stream = _resolved(streams.get("/UF") or streams.get("/F"))
    if not hasattr(stream, "get_data"):
        return
    data = stream.get_data()
    if len(data) > MAX_STREAM_BYTES:
        raise Unreadable(f"the file {name} inside it is too large to check")
    reading = inner(name, data)
    for where, text in reading.pieces:
        yield f"embedded file {name}: {where}", text
