"""A bundle is signed with the centre's key, and `verify` tells a bundle as exported from one
that was changed, re-signed, emptied or made hostile, without ever failing itself."""

from __future__ import annotations

import hashlib
import json
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from exports.bundle import (
    MANIFEST,
    MAX_MANIFEST,
    SIGNATURE,
    build_bundle,
    member_names,
    verify_bundle,
)
from exports.signing import (
    fingerprint,
    load_or_create_key,
    public_pem,
    read_public_key,
    signature_document,
)
from journal.frameworks.registry import load_registry
from tests.conftest import log_session
from tests.snapshots import ilm_snapshot

REGISTRY = load_registry(None)
CENTRE = Ed25519PrivateKey.generate()
PHOTO = "attachments/E-0016-1.jpg"
# The workbook and diary in the bundle, named by candidate, qualification and date.
WORKBOOK, DIARY = member_names(ilm_snapshot())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("signed")
    return build_bundle(ilm_snapshot(folder / "files"), REGISTRY, folder / "b.zip", key=CENTRE)


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def write_zip(target: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return target


def signed(files: dict[str, bytes], manifest: bytes, key: Ed25519PrivateKey) -> dict[str, bytes]:
    """The files with `manifest` as the manifest, signed with `key`."""
    return {**files, MANIFEST: manifest, SIGNATURE: signature_document(key, MANIFEST, manifest)}


def manifest_of(files: dict[str, bytes]) -> dict:
    return json.loads(files[MANIFEST])


def listing(manifest: dict) -> bytes:
    return json.dumps(manifest, indent=2).encode()


def verify(path: Path) -> list[str]:
    return verify_bundle(path, CENTRE.public_key())


def test_an_exported_bundle_carries_a_signature_that_verifies(exported: Path) -> None:
    files = members(exported)
    assert list(files)[-2:] == [MANIFEST, SIGNATURE]
    assert json.loads(files[SIGNATURE])["fingerprint"] == fingerprint(CENTRE.public_key())
    assert verify(exported) == []


def test_verify_refuses_a_manifest_rewritten_after_a_change(exported: Path, tmp_path: Path) -> None:
    files = members(exported)
    files[PHOTO] = files[PHOTO][:-1] + b"\x00"
    manifest = manifest_of(files)
    for f in manifest["files"]:
        if f["path"] == PHOTO:
            f["sha256"] = hashlib.sha256(files[PHOTO]).hexdigest()
    files[MANIFEST] = listing(manifest)  # the old signature kept
    [problem] = verify(write_zip(tmp_path / "rewritten.zip", files))
    assert problem.startswith(f"changed: {MANIFEST}")
    assert "changed after it was signed" in problem


def test_verify_refuses_a_bundle_signed_again_with_another_key(
    exported: Path, tmp_path: Path
) -> None:
    files = members(exported)
    files[PHOTO] = b"another photo"
    manifest = manifest_of(files)
    for f in manifest["files"]:
        if f["path"] == PHOTO:
            f["sha256"] = hashlib.sha256(files[PHOTO]).hexdigest()
            f["size"] = len(files[PHOTO])
    forger = Ed25519PrivateKey.generate()
    [problem] = verify(write_zip(tmp_path / "forged.zip", signed(files, listing(manifest), forger)))
    assert f"signed with another key ({fingerprint(forger.public_key())})" in problem


def test_verify_refuses_a_bundle_without_its_signature(exported: Path, tmp_path: Path) -> None:
    files = members(exported)
    del files[SIGNATURE]
    assert verify(write_zip(tmp_path / "unsigned.zip", files)) == [
        f"missing: {SIGNATURE} (not signed)"
    ]


def test_verify_refuses_a_manifest_that_lists_nothing(exported: Path, tmp_path: Path) -> None:
    files = members(exported)
    manifest = {**manifest_of(files), "files": []}
    problems = verify(write_zip(tmp_path / "empty.zip", signed(files, listing(manifest), CENTRE)))
    assert problems[:2] == [
        f"missing from the manifest: {WORKBOOK}",
        f"missing from the manifest: {DIARY}",
    ]
    assert f"added: {PHOTO}" in problems


@pytest.mark.parametrize(
    "name", ["../../x", "attachments/../../x", "/etc/cron.d/x", "..\\x", "C:/x", "attachments/.."]
)
def test_verify_refuses_members_that_would_be_unpacked_outside_the_folder(
    exported: Path, tmp_path: Path, name: str
) -> None:
    files = {**members(exported), name: b"x"}
    [problem] = verify(write_zip(tmp_path / "climb.zip", files))
    assert problem.startswith(f"refused: {name} ")


def test_verify_refuses_a_member_that_is_a_symbolic_link(exported: Path, tmp_path: Path) -> None:
    target = tmp_path / "link.zip"
    write_zip(target, members(exported))
    with zipfile.ZipFile(target, "a") as zf:
        link = zipfile.ZipInfo("attachments/E-0016-2.jpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/home/assessor/.ssh/id_ed25519")
    assert verify(target) == ["refused: attachments/E-0016-2.jpg is a symbolic link"]


def patch_headers(bundle: Path, name: str, *, flags: int = 0, method: int | None = None) -> Path:
    """The member's general-purpose flags OR-ed with `flags` and its compression method set,
    in its local header and in the central directory, as a hand-made zip would have them."""
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as zf:
        local, central = zf.getinfo(name).header_offset, zf.start_dir
    encoded = name.encode()
    while True:
        size = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + size] == encoded:
            break
        extra, comment = struct.unpack_from("<HH", data, central + 30)
        central += 46 + size + extra + comment
    for flag_at, method_at in ((local + 6, local + 8), (central + 8, central + 10)):
        struct.pack_into("<H", data, flag_at, struct.unpack_from("<H", data, flag_at)[0] | flags)
        if method is not None:
            struct.pack_into("<H", data, method_at, method)
    bundle.write_bytes(bytes(data))
    return bundle


def test_verify_refuses_an_encrypted_member(exported: Path, tmp_path: Path) -> None:
    bundle = write_zip(tmp_path / "encrypted.zip", members(exported))
    patch_headers(bundle, DIARY, flags=0x1)
    assert verify(bundle) == [f"refused: {DIARY} is encrypted"]


@pytest.mark.parametrize("method", [1, 14, 99])  # shrunk, LZMA, AES
def test_verify_refuses_a_member_of_a_compression_bundles_never_use(
    exported: Path, tmp_path: Path, method: int
) -> None:
    bundle = patch_headers(write_zip(tmp_path / "odd.zip", members(exported)), DIARY, method=method)
    assert verify(bundle) == [
        f"refused: {DIARY} uses compression method {method}, which bundles never use"
    ]


def test_verify_refuses_a_manifest_that_inflates_beyond_its_limit(
    exported: Path, tmp_path: Path
) -> None:
    files = members(exported)
    files[MANIFEST] = b" " * (MAX_MANIFEST + 1)  # 32 MiB of spaces deflate to 32 KB
    bundle = write_zip(tmp_path / "bomb.zip", files)
    assert bundle.stat().st_size < 1 << 20
    assert verify(bundle) == [f"refused: {MANIFEST} is larger than 32 MiB"]


def test_verify_reads_a_member_only_as_far_as_the_signed_manifest_says(
    exported: Path, tmp_path: Path
) -> None:
    files = members(exported)
    files[PHOTO] = files[PHOTO] + b"\x00" * (64 << 20)  # 64 MiB more than the manifest says
    assert verify(write_zip(tmp_path / "grown.zip", files)) == [f"changed: {PHOTO}"]


def test_verify_reports_a_deeply_nested_manifest_instead_of_failing(
    exported: Path, tmp_path: Path
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    bundle = write_zip(tmp_path / "deep.zip", signed(members(exported), deep, CENTRE))
    [problem] = verify(bundle)
    assert problem.startswith(f"changed: {MANIFEST} is not a valid manifest")


@pytest.mark.parametrize(
    "content", [b"", b"not a zip at all", b"PK\x05\x06" + bytes(18), b"PK\x03\x04" * 100]
)
def test_verify_reports_a_file_that_is_not_a_bundle(tmp_path: Path, content: bytes) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(content)
    problems = verify(junk)
    assert problems and problems[0].startswith(("not a readable", "missing: "))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_damage_to_a_bundle_is_reported_never_raised(
    exported: Path, tmp_path: Path, data: st.DataObject
) -> None:
    raw = bytearray(exported.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    problems = verify(damaged)
    assert isinstance(problems, list)


def centre_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    key_file = tmp_path / "centre" / "signing_key.pem"
    monkeypatch.setenv("SIGNING_KEY_FILE", str(key_file))
    return key_file


def test_the_centres_key_is_made_on_first_use_readable_by_its_owner_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = centre_env(monkeypatch, tmp_path)
    assert main(["keys", "public"]) == 0
    first = capsys.readouterr()
    assert first.out.startswith("-----BEGIN PUBLIC KEY-----")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert main(["keys", "public"]) == 0
    assert capsys.readouterr().out == first.out  # the same key, not a new one
    assert fingerprint(load_or_create_key(key_file).public_key()) in first.err


def test_verify_checks_a_bundle_against_the_centres_key_or_a_given_public_key(
    exported: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    key_file = centre_env(monkeypatch, tmp_path)
    centre = load_or_create_key(key_file)
    bundle = build_bundle(
        ilm_snapshot(tmp_path / "files"), REGISTRY, tmp_path / "b.zip", key=centre
    )
    assert main(["verify", str(bundle)]) == 0
    assert "intact" in capsys.readouterr().out
    assert main(["keys", "public"]) == 0
    public = tmp_path / "centre.pub"
    public.write_text(capsys.readouterr().out)
    assert read_public_key(public).public_bytes_raw() == centre.public_key().public_bytes_raw()
    monkeypatch.setenv("SIGNING_KEY_FILE", str(tmp_path / "assessor-has-no-key.pem"))
    assert main(["verify", str(bundle), "--public-key", str(public)]) == 0
    other = tmp_path / "other.pub"
    other.write_text(public_pem(Ed25519PrivateKey.generate().public_key()))
    assert main(["verify", str(bundle), "--public-key", str(other)]) == 1
    assert "signed with another key" in capsys.readouterr().err


def test_verify_without_a_key_says_where_to_get_one(
    exported: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    centre_env(monkeypatch, tmp_path)
    assert main(["verify", str(exported)]) == 2
    err = capsys.readouterr().err
    assert "--public-key" in err and "mentorlog keys public" in err
    assert not (tmp_path / "centre").exists()  # verifying never makes a key


@pytest.mark.parametrize("hostile", ["junk", "method", "bomb"])
def test_verify_exits_non_zero_on_a_hostile_bundle_without_a_traceback(
    exported: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys, hostile: str
) -> None:
    public = tmp_path / "centre.pub"
    public.write_text(public_pem(CENTRE.public_key()))
    bundle = tmp_path / "hostile.zip"
    if hostile == "junk":
        bundle.write_bytes(b"\x00" * 100)
    elif hostile == "method":
        patch_headers(write_zip(bundle, members(exported)), WORKBOOK, method=99)
    else:
        write_zip(bundle, {**members(exported), MANIFEST: b"{" * (MAX_MANIFEST + 1)})
    assert main(["verify", str(bundle), "--public-key", str(public)]) == 1
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


async def test_bundles_the_bot_builds_are_signed_with_the_centres_key(
    mentor, mentee, services, settings, clock
) -> None:
    await log_session(mentor)
    bundle = await services.exporter.build(1, "zip", clock())
    assert stat.S_IMODE(settings.signing_key_file.stat().st_mode) == 0o600
    assert verify_bundle(bundle, read_public_key(settings.signing_key_file)) == []
