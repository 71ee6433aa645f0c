"""The evidence bundle (.zip): workbook, diary, every attachment by reference, and a manifest.

manifest.json lists every other file of the bundle with its size and SHA-256, so that
`verify_bundle` (and anyone with `sha256sum`) can tell a bundle is exactly as exported.
Files are streamed in chunks, hashed while they are written; formats that are compressed
already (photos, video, audio, office files) are stored rather than deflated again.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from exports import ExportView, attachment_name, export_view, partial_file
from exports.pdf import write_diary
from exports.xlsx import write_workbook
from journal.frameworks.registry import Registry
from journal.snapshot import PortfolioSnapshot

MANIFEST = "manifest.json"
WORKBOOK = "portfolio.xlsx"
DIARY = "diary.pdf"
FORMAT = "mentorlog-bundle/1"
CHUNK = 1 << 20
Stamp = tuple[int, int, int, int, int, int]  # a zip entry's date and time
# Formats compressed already: deflating them again costs time and saves nothing.
_IMAGES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic"}
_MEDIA = {".mp4", ".mov", ".webm", ".mp3", ".m4a", ".ogg", ".oga", ".opus"}
_PACKAGES = {".zip", ".xlsx", ".docx", ".pptx", ".odt", ".ods"}
COMPRESSED_ALREADY = frozenset(_IMAGES | _MEDIA | _PACKAGES)


def build_bundle(snapshot: PortfolioSnapshot, registry: Registry, out_path: Path) -> Path:
    """Build the workbook and the diary, then zip them with the attachments and a manifest."""
    # The view, not the snapshot: attachments of entries the rules leave out stay out.
    view = export_view(snapshot, registry)
    t = snapshot.generated_at.timetuple()
    stamp = (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "portfolio_id": snapshot.portfolio_id,
        "candidate": view.snapshot.candidate,
        "frameworks": list(snapshot.framework_ids),
        "generated_at": snapshot.generated_at.isoformat(),
        "anonymised": view.snapshot.anonymised,
        "files": [],
        "not_included": [],
        "warnings": [],
    }
    with (
        tempfile.TemporaryDirectory(prefix="mentorlog-") as tmp,
        partial_file(out_path) as partial,
        zipfile.ZipFile(partial, "w", allowZip64=True) as zf,
    ):
        workbook = write_workbook(view, Path(tmp) / WORKBOOK)
        diary = write_diary(view, Path(tmp) / DIARY)
        manifest["files"] += [_add(zf, workbook, WORKBOOK, stamp), _add(zf, diary, DIARY, stamp)]
        _add_attachments(zf, view, stamp, manifest)
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        zf.writestr(_info(MANIFEST, stamp), text.encode("utf-8"))
    return Path(out_path)


def _add_attachments(
    zf: zipfile.ZipFile, view: ExportView, stamp: Stamp, manifest: dict[str, Any]
) -> None:
    for entry in view.entries_in_order:
        for index, attachment in enumerate(entry.attachments, 1):
            name = attachment_name(attachment, index)
            if not attachment.path.is_file():
                manifest["not_included"].append({"path": name, "reason": "the file is missing"})
                continue
            added = _add(zf, attachment.path, name, stamp)
            if added["sha256"] != attachment.sha256:
                manifest["warnings"].append(f"{name}: differs from the SHA-256 recorded at upload")
            manifest["files"].append(added)


def _info(name: str, stamp: Stamp, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.file_size = size  # lets zipfile choose ZIP64 up front for big files
    suffix = Path(name).suffix.lower()
    info.compress_type = (
        zipfile.ZIP_STORED if suffix in COMPRESSED_ALREADY else zipfile.ZIP_DEFLATED
    )
    return info


def _add(zf: zipfile.ZipFile, source: Path, name: str, stamp: Stamp) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, zf.open(_info(name, stamp, source.stat().st_size), "w") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return {"path": name, "size": size, "sha256": digest.hexdigest()}


def _hash(stream: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def verify_bundle(path: Path) -> list[str]:
    """Problems with a bundle, each naming its file ("changed: ...", "missing: ...",
    "added: ..."); an empty list when the bundle is exactly as exported."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"not a readable zip file: {exc}"]
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        if MANIFEST not in names:
            return [f"missing: {MANIFEST}"]
        try:
            manifest = json.loads(zf.read(MANIFEST))
            listed = {f["path"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile, zlib.error) as exc:
            return [f"changed: {MANIFEST} is not a valid manifest ({exc})"]
        problems = []
        for name, expected in listed.items():
            if name not in names:
                problems.append(f"missing: {name}")
                continue
            try:
                with zf.open(name) as member:
                    size, digest = _hash(member)
            except (zipfile.BadZipFile, zlib.error, OSError) as exc:
                problems.append(f"changed: {name} (cannot be read: {exc})")
                continue
            if size != expected.get("size") or digest != expected.get("sha256"):
                problems.append(f"changed: {name}")
        seen: set[str] = set()
        for name in names:
            if name in seen:
                problems.append(f"added: {name} (a second copy)")
            elif name != MANIFEST and name not in listed:
                problems.append(f"added: {name}")
            seen.add(name)
        return problems
