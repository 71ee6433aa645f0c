"""The centre's signing key and the signature of a bundle's manifest (Ed25519).

A manifest of SHA-256 sums only shows that the files match the manifest: whoever changes a
file can write a new manifest too. The bundle therefore carries `manifest.sig`, an Ed25519
signature of the exact bytes of `manifest.json` made with a key only the centre holds
(`SIGNING_KEY_FILE`, created on first use, readable by its owner only). Assessors are given
the public key (`mentorlog keys public`) and check a bundle against it
(`mentorlog verify BUNDLE --public-key FILE`).

Ed25519 (from `cryptography`, the maintained binding of OpenSSL): small keys and signatures,
deterministic signing, no parameters to choose wrongly, and `openssl pkeyutl` checks the same
signature without mentorlog.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"
MAX_KEY_FILE = 16 * 1024


class SigningKeyError(ValueError):
    """A key file is missing, unreadable or not an Ed25519 key; the message says which."""


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The centre's private key at `path`, created (mode 0600) when there is none yet.

    A new key is written to a file of its own and linked to `path`, so that two processes
    starting at once end up with one key and nobody reads a half-written file.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process made one first
                os.link(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return read_private_key(path)


def read_private_key(path: Path) -> Ed25519PrivateKey:
    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"{path} is not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def read_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file: the public key an assessor was given, or the
    centre's own private key file (its public half)."""
    data = _read(path)
    if b"PRIVATE KEY" in data:
        return read_private_key(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"{path} is not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def _read(path: Path) -> bytes:
    path = Path(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_KEY_FILE + 1)
    except FileNotFoundError:
        raise SigningKeyError(f"there is no key file {path}") from None
    except OSError as exc:
        raise SigningKeyError(f"{path} cannot be read ({exc.strerror})") from None
    if len(data) > MAX_KEY_FILE:
        raise SigningKeyError(f"{path} is too large to be a key file")
    return data


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """`SHA256:` and the first 16 bytes of the raw key's SHA-256, to read out on the phone."""
    digest = hashlib.sha256(_raw(key)).hexdigest()[:32]
    return "SHA256:" + ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def signature_document(key: Ed25519PrivateKey, signed_name: str, data: bytes) -> bytes:
    """What `manifest.sig` holds: the signature of `data` and the key that made it."""
    document = {
        "algorithm": ALGORITHM,
        "signed": signed_name,
        "public_key": base64.b64encode(_raw(key.public_key())).decode("ascii"),
        "fingerprint": fingerprint(key.public_key()),
        "signature": base64.b64encode(key.sign(data)).decode("ascii"),
    }
    return json.dumps(document, indent=2).encode("utf-8")


def signature_problem(
    document: bytes, signed_name: str, data: bytes, expected: Ed25519PublicKey
) -> str | None:
    """Why `document` is not the signature of `data` by `expected`; None when it is."""
    try:
        sig: Any = json.loads(document)
        algorithm, signed = sig["algorithm"], sig["signed"]
        public = base64.b64decode(sig["public_key"], validate=True)
        signature = base64.b64decode(sig["signature"], validate=True)
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error):
        return "the signature file is not readable"
    if algorithm != ALGORITHM or signed != signed_name:
        return f"the signature is not an {ALGORITHM} signature of {signed_name}"
    if public != _raw(expected):
        try:
            theirs = fingerprint(Ed25519PublicKey.from_public_bytes(public))
        except ValueError:
            theirs = "an unreadable key"
        return f"signed with another key ({theirs}), not {fingerprint(expected)}"
    try:
        expected.verify(signature, data)
    except InvalidSignature:
        return f"its signature does not match: {signed_name} was changed after it was signed"
    return None
