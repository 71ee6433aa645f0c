"""Reading attachments for names (exports.attachment_check): PDF metadata and text, Office
properties and text, picture EXIF; hostile files get a plain reason, never a traceback."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from exports import attachment_check
from exports.attachment_check import (
    METADATA,
    OTHER,
    READ,
    UNREADABLE,
    cleaned_copy,
    read_all,
    read_attachment,
)
from journal.anonymity_rules import attachment_hits
from journal.name_variants import Named, NameFinder

FINDER = NameFinder(
    [Named("Jon Baker", "Mentee A", ("jbaker",)), Named("Ola Nowak", "Mentee B")],
    capitals_only_for_parts=True,
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>Contract</dc:title><dc:creator>{author}</dc:creator></cp:coreProperties>"
)


def pdf(text: str = "Planning notes", *, author: str = "", title: str = "") -> bytes:
    page = FPDF()
    page.add_page()
    page.set_font("helvetica", size=12)
    page.cell(text=text)
    if author:
        page.set_author(author)
    if title:
        page.set_title(title)
    return bytes(page.output())


def docx(
    text: str = "Planning notes", *, author: str = "Anna", document: str | None = None
) -> bytes:
    # Word splits text into runs: the name is broken across two of them on purpose.
    runs = "".join(f"<w:r><w:t>{part}</w:t></w:r>" for part in (text[:2], text[2:]))
    body = document or f'<w:document xmlns:w="{W}"><w:body><w:p>{runs}</w:p></w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/core.xml", CORE.format(author=author))
        archive.writestr("word/document.xml", body)
    return out.getvalue()


def jpeg(*, artist: str = "", gps: bool = False, comment: str = "") -> bytes:
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist
    if comment:
        exif[0x9C9C] = comment.encode("utf-16-le")
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", " " * (8 * 1024 * 1024))
    return out.getvalue()


def huge_png(width: int = 100_000, height: int = 100_000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def written(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def names_in(path: Path) -> list[tuple[str, str]]:
    reading = read_attachment(path)
    return [(leak.hit.written, leak.where) for leak in attachment_hits(reading.pieces, FINDER)]


def test_a_mentees_name_in_a_pdfs_text_layer_is_found_with_its_page(tmp_path: Path) -> None:
    path = written(tmp_path, "notes.pdf", pdf("Observed Jon Baker leading the huddle"))
    assert read_attachment(path).outcome == READ
    assert names_in(path) == [("Jon Baker", "page 1 text")]


def test_names_in_a_pdfs_metadata_are_found_by_field(tmp_path: Path) -> None:
    path = written(tmp_path, "plan.pdf", pdf(author="Ola Nowak", title="Plan for J. Baker"))
    assert names_in(path) == [
        ("Ola Nowak", "PDF metadata Author"),
        ("J. Baker", "PDF metadata Title"),
    ]


def test_a_docx_author_in_core_xml_and_a_name_split_across_runs_are_found(tmp_path: Path) -> None:
    path = written(tmp_path, "contract.docx", docx("Jon signed it", author="Ola Nowak"))
    assert names_in(path) == [("Ola Nowak", "core.xml creator"), ("Jon", "word/document.xml")]


def test_a_jpeg_exif_artist_and_xp_comment_are_found(tmp_path: Path) -> None:
    path = written(tmp_path, "photo.jpg", jpeg(artist="Jon Baker", comment="with @jbaker"))
    reading = read_attachment(path)
    assert reading.outcome == METADATA
    assert names_in(path) == [("Jon Baker", "EXIF Artist"), ("@jbaker", "EXIF XPComment")]


def test_a_picture_that_records_where_it_was_taken_says_so(tmp_path: Path) -> None:
    assert read_attachment(written(tmp_path, "p.jpg", jpeg(gps=True))).located
    assert not read_attachment(written(tmp_path, "q.jpg", jpeg())).located


def test_a_lower_case_first_name_in_a_document_is_an_ordinary_word(tmp_path: Path) -> None:
    finder = NameFinder([Named("Will Smith", "Mentee A")], capitals_only_for_parts=True)
    reading = read_attachment(written(tmp_path, "n.pdf", pdf("We will meet; Will said so")))
    assert [leak.hit.written for leak in attachment_hits(reading.pieces, finder)] == ["Will"]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bomb.docx", zip_bomb_docx(), "it unpacks to far more than its size (a zip bomb"),
        ("broken.pdf", b"%PDF-1.4 small", "it is not a readable PDF"),
        ("huge.png", huge_png(), "the picture is too large to check"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "it is not a readable Office file"),
        ("broken.jpg", b"\xff\xd8\xff\xe0 nothing more", "it is not a readable picture"),
        (
            "entities.docx",
            docx(document='<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'),
            "a part of it is not readable XML",
        ),
    ],
)
def test_a_hostile_or_damaged_file_gets_a_plain_reason(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    started = time.monotonic()
    reading = read_attachment(written(tmp_path, name, content))
    assert reading.outcome == UNREADABLE
    assert reading.problem is not None and reading.problem.startswith(problem), reading.problem
    assert time.monotonic() - started < 5


def test_a_file_of_another_kind_is_not_read(tmp_path: Path) -> None:
    assert read_attachment(written(tmp_path, "voice.ogg", b"OggS" + bytes(100))).outcome == OTHER


def test_files_are_read_in_a_child_process_in_order(tmp_path: Path) -> None:
    paths = [
        written(tmp_path, "a.pdf", pdf("Jon Baker")),
        written(tmp_path, "b.pdf", b"%PDF-1.4 small"),
        written(tmp_path, "c.jpg", jpeg(artist="Ola")),
    ]
    readings = read_all(paths)
    assert [r.outcome for r in readings] == [READ, UNREADABLE, METADATA]
    assert readings[0].pieces == (("page 1 text", "Jon Baker"),)


def pdf_stream_bomb(unpacked: int) -> bytes:
    """A one-page PDF whose page content unpacks from a few kB to `unpacked` bytes."""
    stream = zlib.compress(b" " * unpacked, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"trailer << /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % len(body)
    return body + xref + trailer


def test_a_pdf_stream_bomb_is_refused_by_its_size(tmp_path: Path) -> None:
    reading = read_attachment(written(tmp_path, "bomb.pdf", pdf_stream_bomb(200 * 1024 * 1024)))
    assert reading.problem == "it unpacks to far more than its size (a PDF stream bomb)"


def test_a_file_needing_more_memory_than_the_child_has_is_marked_and_the_rest_read(
    tmp_path: Path,
) -> None:
    paths = [
        written(tmp_path, "a.pdf", pdf_stream_bomb(70 * 1024 * 1024)),
        written(tmp_path, "b.pdf", pdf("Ola Nowak")),
    ]
    first, second = read_all(paths, memory=110 * 1024 * 1024)
    assert first.outcome == UNREADABLE
    assert first.problem == "it needs too much memory to check"
    assert second.pieces == (("page 1 text", "Ola Nowak"),)


def test_cleaning_strips_exif_and_pdf_metadata_and_the_copy_reads_clean(tmp_path: Path) -> None:
    photo = written(tmp_path, "photo.jpg", jpeg(artist="Jon Baker", gps=True))
    clean = written(tmp_path, "clean.jpg", cleaned_copy(photo) or b"")
    assert names_in(clean) == [] and not read_attachment(clean).located
    document = written(tmp_path, "plan.pdf", pdf("Agenda", author="Ola Nowak"))
    clean = written(tmp_path, "clean.pdf", cleaned_copy(document) or b"")
    assert names_in(clean) == []
    assert read_attachment(clean).pieces == (("page 1 text", "Agenda"),)


def test_cleaning_a_jpeg_drops_its_comment_and_xmp_too(tmp_path: Path) -> None:
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Jon Baker</dc:creator></x:xmpmeta>'
    Image.new("RGB", (40, 30)).save(out, format="JPEG", comment=b"by Ola Nowak", xmp=xmp)
    photo = written(tmp_path, "photo.jpg", out.getvalue())
    assert names_in(photo) == [("Jon Baker", "XMP metadata"), ("Ola Nowak", "comment")]
    clean = written(tmp_path, "clean.jpg", cleaned_copy(photo) or b"")
    assert names_in(clean) == []


def test_cleaning_keeps_a_name_in_the_text_layer_where_it_is(tmp_path: Path) -> None:
    document = written(tmp_path, "notes.pdf", pdf("Jon Baker led it", author="Ola Nowak"))
    clean = written(tmp_path, "clean.pdf", cleaned_copy(document) or b"")
    assert names_in(clean) == [("Jon Baker", "page 1 text")]


def test_an_office_file_is_not_cleaned_here(tmp_path: Path) -> None:
    assert cleaned_copy(written(tmp_path, "c.docx", docx())) is None


def test_a_file_that_never_ends_is_stopped_and_the_rest_read_by_a_new_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endless = tmp_path / "endless.pdf"
    os.mkfifo(endless)  # opening it waits for a writer that never comes
    monkeypatch.setattr(attachment_check, "STARTUP_SECONDS", 5.0)
    started = time.monotonic()
    first, second = read_all([endless, written(tmp_path, "b.pdf", pdf("Ola"))], seconds_per_file=2)
    assert first.problem == "it takes too long to check"
    assert second.pieces == (("page 1 text", "Ola"),)
    assert time.monotonic() - started < 20


# --- Parts that hide a name: forms, bookmarks, files inside files, text files, OpenDocument ----


def pdf_with(build) -> bytes:
    """A PDF changed by `build(writer)` (pypdf), from a one-page PDF with clean text."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf("Planning notes")))
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form_field(writer, value: str) -> None:
    """A filled AcroForm text field, as a reader keeps what was typed: in /V, not the page."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    kid = writer._add_object(DictionaryObject({NameObject("/V"): TextStringObject(value)}))
    parent = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("observed"),
            NameObject("/Kids"): ArrayObject([kid]),
        }
    )
    fields = ArrayObject([writer._add_object(parent)])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})


def embedding(content: bytes, name: str = "inner.pdf"):
    return lambda writer: writer.add_attachment(name, content)


def test_a_filled_pdf_form_fields_value_is_read(tmp_path: Path) -> None:
    path = written(tmp_path, "form.pdf", pdf_with(lambda w: form_field(w, "Jon Baker")))
    assert names_in(path) == [("Jon Baker", "form field observed")]


def test_a_pdfs_bookmarks_are_read(tmp_path: Path) -> None:
    path = written(
        tmp_path,
        "b.pdf",
        pdf_with(lambda w: w.add_outline_item(title="Ola's review", page_number=0)),
    )
    assert names_in(path) == [("Ola", "bookmark")]


def test_bookmarks_pointing_in_a_circle_are_read_once(tmp_path: Path) -> None:
    from pypdf.generic import NameObject

    def circle(writer) -> None:
        first = writer.add_outline_item(title="Jon Baker", page_number=0).get_object()
        first[NameObject("/Next")] = writer.add_outline_item(title="Agenda", page_number=0)
        first["/Next"].get_object()[NameObject("/Next")] = first.indirect_reference

    reading = read_attachment(written(tmp_path, "c.pdf", pdf_with(circle)))
    assert reading.outcome == READ, reading.problem
    assert [p for p in reading.pieces if p[0] == "bookmark"] == [
        ("bookmark", "Jon Baker"),
        ("bookmark", "Agenda"),
    ]


def test_a_file_embedded_in_a_pdf_is_read_like_any_attachment(tmp_path: Path) -> None:
    inside = docx("Agreed with Ola Nowak", author="Anna")
    path = written(tmp_path, "e.pdf", pdf_with(embedding(inside, "contract.docx")))
    assert names_in(path) == [("Ola Nowak", "embedded file contract.docx: word/document.xml")]
    assert read_attachment(path).outcome == READ


def test_an_embedded_file_inside_an_embedded_file_is_read_and_deeper_is_refused(
    tmp_path: Path,
) -> None:
    inner = pdf_with(embedding(pdf("Observed Jon Baker"), "notes.pdf"))
    path = written(tmp_path, "two.pdf", pdf_with(embedding(inner, "pack.pdf")))
    assert names_in(path) == [
        ("Jon Baker", "embedded file pack.pdf: embedded file notes.pdf: page 1 text")
    ]
    deeper = inner
    for level in range(4):  # four files inside one another: more than MAX_DEPTH (3)
        deeper = pdf_with(embedding(deeper, f"level{level}.pdf"))
    reading = read_attachment(written(tmp_path, "deep.pdf", deeper))
    assert reading.outcome == UNREADABLE
    assert reading.problem is not None and "inside files more than 3 deep" in reading.problem


def test_an_embedded_picture_makes_the_pdf_read_no_better_than_the_picture(
    tmp_path: Path,
) -> None:
    path = written(tmp_path, "p.pdf", pdf_with(embedding(jpeg(gps=True), "site.jpg")))
    reading = read_attachment(path)
    assert (reading.outcome, reading.located) == (METADATA, True)
    video = written(tmp_path, "v.pdf", pdf_with(embedding(b"\x00\x00\x00\x18ftypmp42", "v.mp4")))
    assert read_attachment(video).outcome == OTHER  # for a person to look at


def test_a_broken_file_embedded_in_a_pdf_gets_a_plain_reason(tmp_path: Path) -> None:
    path = written(tmp_path, "b.pdf", pdf_with(embedding(b"%PDF-1.4 small", "broken.pdf")))
    reading = read_attachment(path)
    assert reading.problem is not None
    assert reading.problem.startswith("the file broken.pdf inside it: it is not a readable PDF")


def with_member(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def test_the_exif_of_a_picture_inside_a_word_file_is_read(tmp_path: Path) -> None:
    content = with_member(docx("Planning notes"), "word/media/image1.jpeg", jpeg(artist="Ola"))
    path = written(tmp_path, "photo-report.docx", content)
    assert names_in(path) == [("Ola", "word/media/image1.jpeg EXIF Artist")]
    assert read_attachment(path).outcome == METADATA  # what the photo shows is not read


def test_a_zip_bomb_picture_inside_a_word_file_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO(docx("Planning notes"))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(8 * 1024 * 1024))
    reading = read_attachment(written(tmp_path, "bomb.docx", out.getvalue()))
    assert reading.problem is not None and "a zip bomb" in reading.problem


def test_a_text_file_is_read_line_by_line(tmp_path: Path) -> None:
    path = written(tmp_path, "notes.txt", b"Agenda\n\nFeedback for Jon Baker\r\n")
    reading = read_attachment(path)
    assert (reading.outcome, reading.kind) == (READ, "text file")
    assert names_in(path) == [("Jon Baker", "line 3")]


def test_a_csv_saved_by_excel_on_windows_is_read_with_its_curly_apostrophe(
    tmp_path: Path,
) -> None:
    finder = NameFinder([Named("Siobhan O'Brien", "Mentee A")], capitals_only_for_parts=True)
    content = "date,mentee\n2026-01-05,Ms O\u2019Brien-Kelly\n".encode("cp1252") + b"\x81"
    reading = read_attachment(written(tmp_path, "register.csv", content))
    assert [leak.where for leak in attachment_hits(reading.pieces, finder)] == ["line 2"]


def test_a_surname_with_a_curly_apostrophe_in_a_word_file_is_found(tmp_path: Path) -> None:
    finder = NameFinder([Named("Siobhan O'Brien", "Mentee A")], capitals_only_for_parts=True)
    reading = read_attachment(written(tmp_path, "c.docx", docx("Ms O\u2019Brien-Kelly agreed")))
    hits = [leak.hit.written for leak in attachment_hits(reading.pieces, finder)]
    assert hits == ["O\u2019Brien"]


def test_a_utf16_text_file_is_read(tmp_path: Path) -> None:
    path = written(tmp_path, "n.txt", "Notes on Ola Nowak".encode("utf-16"))
    assert names_in(path) == [("Ola Nowak", "line 1")]


def test_a_huge_text_file_is_refused_quickly_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(b"Jon Baker " * (1024 * 1024))  # 10 MB of text
    started = time.monotonic()
    reading = read_attachment(path)
    assert reading.problem == "it holds too much text to check"
    assert time.monotonic() - started < 2


ODF = "urn:oasis:names:tc:opendocument:xmlns:{}:1.0"


def opendocument(kind: str, text: str, *, creator: str = "Anna", header: str = "") -> bytes:
    office, para = ODF.format("office"), ODF.format("text")
    meta = (
        f'<office:document-meta xmlns:office="{office}" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
        f"<meta:initial-creator>{creator}</meta:initial-creator></office:meta>"
        "</office:document-meta>"
    )
    content = (
        f'<office:document-content xmlns:office="{office}" xmlns:text="{para}"><office:body>'
        f"<text:p>{text[:3]}<text:span>{text[3:]}</text:span></text:p></office:body>"
        "</office:document-content>"
    )
    styles = f'<office:document-styles xmlns:office="{office}" xmlns:text="{para}">'
    styles += f"<text:p>{header}</text:p></office:document-styles>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", f"application/vnd.oasis.opendocument.{kind}")
        archive.writestr("meta.xml", meta)
        archive.writestr("content.xml", content)
        archive.writestr("styles.xml", styles)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "kind", "label"),
    [
        ("n.odt", "text", "OpenDocument text"),
        ("s.ods", "spreadsheet", "OpenDocument spreadsheet"),
        ("p.odp", "presentation", "OpenDocument presentation"),
    ],
)
def test_an_opendocument_files_meta_content_and_headers_are_read(
    tmp_path: Path, name: str, kind: str, label: str
) -> None:
    content = opendocument(kind, "Observed Jon Baker", creator="Ola Nowak", header="J. Baker")
    path = written(tmp_path, name, content)
    assert read_attachment(path).kind == label
    assert names_in(path) == [
        ("Ola Nowak", "meta.xml initial-creator"),
        ("Jon Baker", "content.xml"),
        ("J. Baker", "styles.xml"),
    ]


def test_an_opendocument_zip_bomb_is_refused_as_an_office_one(tmp_path: Path) -> None:
    out = io.BytesIO(opendocument("text", "Agenda"))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Object 1/content.xml", " " * (8 * 1024 * 1024))  # a chart inside
    reading = read_attachment(written(tmp_path, "bomb.odt", out.getvalue()))
    assert reading.problem is not None and "a zip bomb" in reading.problem


def test_any_other_zip_is_still_not_read(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("notes.txt", "Jon Baker")
    assert read_attachment(written(tmp_path, "book.epub", out.getvalue())).outcome == OTHER
