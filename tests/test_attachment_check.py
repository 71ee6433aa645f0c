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
