"""What is left on disk: every file under a folder, read as bytes, archives and streams opened."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path


def _readable(raw: bytes) -> Iterator[bytes]:
    """The bytes of a file, and those inside it: zip members (xlsx, bundle), deflated streams."""
    yield raw
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for name in archive.namelist():
                yield from _readable(archive.read(name))
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        with contextlib.suppress(zlib.error):
            yield zlib.decompress(stream)


def traces(root: Path, *needles: bytes) -> list[str]:
    """Every file under `root` (database, WAL, exports, stored files) holding a needle."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and any(needle in blob for blob in _readable(path.read_bytes()) for needle in needles)
    )
