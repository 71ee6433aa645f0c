"""The evidence bundle (.zip): workbook, diary, every attachment by reference, and a manifest.

manifest.json lists every other file of the bundle with its size and SHA-256, and
manifest.sig is the centre's Ed25519 signature of it (exports.signing), so that
`verify_bundle` can tell a bundle is exactly as the centre exported it: a changed file shows
against the manifest, and a manifest rewritten to match no longer matches its signature.
Files are streamed in chunks, hashed while they are written; formats that are compressed
already (photos, video, audio, office files) are stored rather than deflated again.

A bundle to verify may be hostile, so `verify_bundle` reads nothing it has not bounded first:
members that climb out of the folder, links, encrypted members and compression methods the
exporter never uses are refused before any is read; the manifest and signature are read up to
a limit; a member is read only up to the size the signed manifest gives it.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exports import ExportView, attachment_name, export_file_name, export_view, partial_file
from exports.pdf import write_diary
from exports.signing import signature_document, signature_problem
from exports.xlsx import write_workbook
from journal.frameworks.registry import Registry
from journal.snapshot import PortfolioSnapshot

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
# The names of the workbook and the diary in a bundle whose manifest does not name them; an
# exported manifest names them ("workbook", "diary"): candidate, qualification and date.
WORKBOOK = "portfolio.xlsx"
DIARY = "diary.pdf"
FORMAT = "mentorlog-bundle/2"  # 2: signed
CHUNK = 1 << 20
# Limits for reading a bundle to verify: far above what an export writes (a manifest of
# 2,000 attachments is about 300 KB), far below what would exhaust a machine.
MAX_MEMBERS = 100_000
MAX_MANIFEST = 32 << 20
MAX_SIGNATURE = 4 << 10
WRITTEN_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
Stamp = tuple[int, int, int, int, int, int]  # a zip entry's date and time
# Formats compressed already: deflating them again costs time and saves nothing.
_IMAGES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic"}
_MEDIA = {".mp4", ".mov", ".webm", ".mp3", ".m4a", ".ogg", ".oga", ".opus"}
_PACKAGES = {".zip", ".xlsx", ".docx", ".pptx", ".odt", ".ods"}
COMPRESSED_ALREADY = frozenset(_IMAGES | _MEDIA | _PACKAGES)


def member_names(snapshot: PortfolioSnapshot) -> tuple[str, str]:
    """The workbook's and the diary's names in the bundle of `snapshot` (one qualification)."""
    return export_file_name(snapshot, "xlsx"), export_file_name(snapshot, "pdf")


def build_bundle(
    snapshot: PortfolioSnapshot, registry: Registry, out_path: Path, *, key: Ed25519PrivateKey
) -> Path:
    """Build the workbook and the diary, then zip them with the attachments, a manifest and
    the manifest's signature by the centre's `key`."""
    # The view, not the snapshot: attachments of entries the rules leave out stay out.
    view = export_view(snapshot, registry)
    t = snapshot.generated_at.timetuple()
    stamp = (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    workbook_name, diary_name = member_names(view.snapshot)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "workbook": workbook_name,
        "diary": diary_name,
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
        manifest["files"] += [
            _add(zf, workbook, workbook_name, stamp),
            _add(zf, diary, diary_name, stamp),
        ]
        _add_attachments(zf, view, stamp, manifest)
        text = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        zf.writestr(_info(MANIFEST, stamp), text)
        zf.writestr(_info(SIGNATURE, stamp), signature_document(key, MANIFEST, text))
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


def _hash(stream: IO[bytes], limit: int) -> tuple[int, str]:
    """Size and SHA-256 of at most `limit` + 1 bytes: a member that inflates beyond what the
    manifest says is known to differ without being inflated to the end."""
    digest = hashlib.sha256()
    size = 0
    while size <= limit and (chunk := stream.read(min(CHUNK, limit + 1 - size))):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or None when it holds (or says it holds) more than `limit`."""
    if info.file_size > limit:
        return None
    with zf.open(info) as member:
        data = member.read(limit + 1)
    return None if len(data) > limit else data


def unsafe_name(name: str) -> str | None:
    """Why a member's name could write outside the folder it is unpacked in; None if safe."""
    if "\\" in name or "\x00" in name:
        return "has a backslash or NUL in its name"
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in path.parts:
        return "climbs out of the folder (..)"
    return None


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a member is refused before anything is read; None when it may be read."""
    unsafe = unsafe_name(info.filename)
    if unsafe:
        return unsafe
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if info.flag_bits & 0x1:
        return "is encrypted"
    if info.compress_type not in WRITTEN_COMPRESSION:
        return f"uses compression method {info.compress_type}, which bundles never use"
    return None


def verify_bundle(path: Path, public_key: Ed25519PublicKey) -> list[str]:
    """Problems with a bundle, each naming its file ("changed: ...", "missing: ...",
    "added: ...", "refused: ..."); an empty list when the bundle is exactly as the holder of
    `public_key` (the centre) exported it. Never raises for what the file holds."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as exc:
        return [f"not a readable zip file: {exc}"]
    with zf:
        try:
            return _verify(zf, public_key)
        except Exception as exc:  # a hostile file is a finding to report, never a traceback
            return [f"not a readable bundle: {type(exc).__name__}: {exc}"]


def _verify(zf: zipfile.ZipFile, public_key: Ed25519PublicKey) -> list[str]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        return [f"refused: {len(infos)} members (a bundle has at most {MAX_MEMBERS})"]
    refused = [
        f"refused: {info.filename} {problem}"
        for info in infos
        if (problem := _member_problem(info))
    ]
    if refused:
        return refused
    members: dict[str, zipfile.ZipInfo] = {}
    problems = []
    for info in infos:
        if info.filename in members:
            problems.append(f"added: {info.filename} (a second copy)")
        members.setdefault(info.filename, info)
    for name in (MANIFEST, SIGNATURE):
        if name not in members:
            return [*problems, f"missing: {name}" + (" (not signed)" if name == SIGNATURE else "")]
    if problems:
        return problems  # which copy of the manifest or signature counts cannot be told
    text = _read_capped(zf, members[MANIFEST], MAX_MANIFEST)
    if text is None:
        return [f"refused: {MANIFEST} is larger than {MAX_MANIFEST >> 20} MiB"]
    signature = _read_capped(zf, members[SIGNATURE], MAX_SIGNATURE)
    if signature is None:
        return [f"refused: {SIGNATURE} is larger than {MAX_SIGNATURE >> 10} KiB"]
    wrong = signature_problem(signature, MANIFEST, text, public_key)
    if wrong:
        return [f"changed: {MANIFEST} ({wrong})"]
    try:
        document = json.loads(text)
        listed = _listed(document)
        needed = _required(document)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        return [f"changed: {MANIFEST} is not a valid manifest ({exc})"]
    for required in needed:
        if required not in listed:
            problems.append(f"missing from the manifest: {required}")
    for name, (size, sha256) in listed.items():
        info = members.get(name)
        if info is None:
            problems.append(f"missing: {name}")
            continue
        if info.file_size != size:
            problems.append(f"changed: {name}")
            continue
        try:
            with zf.open(info) as member:
                found = _hash(member, size)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            problems.append(f"changed: {name} (cannot be read: {exc})")
            continue
        if found != (size, sha256):
            problems.append(f"changed: {name}")
    for name in members:
        if name not in listed and name not in (MANIFEST, SIGNATURE):
            problems.append(f"added: {name}")
    return problems


def _required(manifest: dict[str, Any]) -> tuple[str, str]:
    """The workbook and the diary the (signed) manifest names, or the plain names."""
    names = []
    for key, default, suffix in (("workbook", WORKBOOK, ".xlsx"), ("diary", DIARY, ".pdf")):
        name = manifest.get(key, default)
        if not isinstance(name, str) or "/" in name or unsafe_name(name):
            raise ValueError(f"an unusable {key} name {name!r}")
        if not name.endswith(suffix):
            raise ValueError(f"the {key} {name!r} is not a {suffix} file")
        names.append(name)
    return names[0], names[1]


def _listed(manifest: Any) -> dict[str, tuple[int, str]]:
    """path -> (size, sha256) of the files a manifest lists, its shape checked."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} manifest")
    files = manifest["files"]
    if not isinstance(files, list):
        raise TypeError("files is not a list")
    listed: dict[str, tuple[int, str]] = {}
    for item in files:
        path, size, sha256 = item["path"], item["size"], item["sha256"]
        if not isinstance(path, str) or unsafe_name(path) or path in listed:
            raise ValueError(f"an unusable or repeated path {path!r}")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"{path}: size {size!r}")
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise ValueError(f"{path}: sha256 {sha256!r}")
        listed[path] = (size, sha256)
    return listed
