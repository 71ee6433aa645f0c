"""Reading attachments for names before an anonymised export (IO; the rules that decide what
counts as a name are in journal.anonymity_rules).

What is read, by what the file is (its first bytes), not by what it is called:
- PDF: the document information (Author, Title, Subject, Keywords, Creator, Producer), the
  XMP metadata, the text layer of every page and the comments on it, the values of a filled
  form (AcroForm fields, an XFA form's data), the bookmarks, and every embedded file
  (exports.attachment_pdf);
- Office files (docx, xlsx, pptx): docProps/core.xml, app.xml and custom.xml, and the text
  of the document, sheets, slides, notes, comments, headers and footers; OpenDocument (odt,
  ods, odp): meta.xml, content.xml and styles.xml (exports.attachment_office: zipfile and
  defusedxml, no DTD, so no entity tricks);
- pictures (JPEG, PNG, TIFF, WebP, GIF): EXIF (Artist, ImageDescription, XPAuthor, XPTitle,
  XPComment, XPSubject, XPKeywords, Copyright, UserComment, CameraOwnerName), whether a GPS
  position is recorded, PNG text chunks, JPEG comments and XMP (Pillow, pixels not decoded);
- text files (.txt, .csv, any file that is text): every line, in UTF-8, UTF-16 or
  Windows-1252, what cannot be decoded replaced;
- files inside files (a PDF's embedded files, the pictures and objects inside an Office
  file): read like any attachment, at most MAX_DEPTH deep (exports.attachment_formats).
Anything else (a video, a voice note) is not read: the export says so, for a person to look.

Attachments are hostile input: a zip bomb, a PDF that never ends, a picture of a billion
pixels. Each file is read in a child process with a memory limit (RLIMIT_AS) and a time limit
per file; members, pages and text have limits of their own. A file that cannot be read
within them gets a plain reason (`Reading.problem`), never a traceback, and the exporter
refuses it as it refuses a file that names someone: what cannot be read cannot be known to
be anonymous.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import select
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

from exports.attachment_formats import (
    MAX_FILE_BYTES,
    METADATA,
    OTHER,
    READ,
    UNREADABLE,
    Reading,
    Unreadable,
    cleaned_copy,
    read_content,
    sniff,
)

__all__ = [
    "METADATA",
    "OTHER",
    "READ",
    "UNREADABLE",
    "Reading",
    "cleaned_copy",
    "read_all",
    "read_attachment",
]

SECONDS_PER_FILE = 20.0
STARTUP_SECONDS = 30.0  # the first file also waits for the child to start and import
MEMORY_BYTES = 1024 * 1024 * 1024

log = logging.getLogger(__name__)


def read_attachment(path: Path) -> Reading:
    """Read one file for names, in this process (the child of `read_all` calls it)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return Reading(UNREADABLE, problem="the stored file could not be read")
    try:
        if sniff(head) == "other":
            return Reading(OTHER)
        if size > MAX_FILE_BYTES:
            raise Unreadable(f"it is too large to check ({size // (1024 * 1024)} MB)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged file's warnings are not ours to print
            return read_content(path)
    except Unreadable as problem:
        return Reading(UNREADABLE, problem=str(problem))
    except MemoryError:
        return Reading(UNREADABLE, problem="it needs too much memory to check")
    except RecursionError:
        return Reading(UNREADABLE, problem="it is built too deep to check")
    except Exception as error:  # a damaged or hostile file: say so, never a traceback
        return Reading(UNREADABLE, problem=f"it is damaged ({type(error).__name__})")


# --- Reading in a child process, with limits --------------------------------------------------


def _serve(memory: int) -> None:
    """The child (`python -m exports.attachment_check MEMORY`): read each path given on a line
    of stdin, answer each with a line of JSON on stdout."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    for line in sys.stdin:
        reading = read_attachment(Path(line.rstrip("\n")))
        sys.stdout.write(json.dumps(dataclasses.asdict(reading)) + "\n")
        sys.stdout.flush()


def _reading(line: bytes) -> Reading:
    data = json.loads(line)
    data["pieces"] = tuple(tuple(p) for p in data["pieces"])
    return Reading(**data)


def read_all(
    paths: Sequence[Path],
    *,
    seconds_per_file: float = SECONDS_PER_FILE,
    memory: int = MEMORY_BYTES,
) -> list[Reading]:
    """Every file read in a child process, one `Reading` per path in order. A file that
    takes longer than `seconds_per_file`, or makes the child die (its memory limit), is
    unreadable; a new child reads the rest. Blocking: call it in a worker thread."""
    readings: list[Reading] = []
    pending = [str(p) for p in paths]
    while pending:
        child = subprocess.Popen(  # noqa: S603 - our own module, no shell, no user text
            [sys.executable, "-m", "exports.attachment_check", str(memory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a damaged file's complaints are not for the log
        )
        assert child.stdin is not None and child.stdout is not None
        wait = seconds_per_file + STARTUP_SECONDS
        try:
            while pending:
                started = time.monotonic()
                child.stdin.write(pending[0].encode() + b"\n")
                child.stdin.flush()
                ready, _, _ = select.select([child.stdout], [], [], wait)
                line = child.stdout.readline() if ready else b""
                if not line:
                    timed_out = not ready
                    log.warning(
                        "an attachment %s after %.1f s; the next is read by a new child",
                        "took too long" if timed_out else "stopped its reader",
                        time.monotonic() - started,
                    )
                    problem = (
                        "it takes too long to check"
                        if timed_out
                        else "it needs too much memory to check"
                    )
                    readings.append(Reading(UNREADABLE, problem=problem))
                    pending.pop(0)
                    break
                readings.append(_reading(line))
                pending.pop(0)
                wait = seconds_per_file
        except (BrokenPipeError, ValueError):
            readings.append(Reading(UNREADABLE, problem="the checker stopped"))
            pending.pop(0)
        finally:
            child.kill()
            child.wait()
            child.stdin.close()
            child.stdout.close()
    return readings


if __name__ == "__main__":
    _serve(int(sys.argv[1]) if len(sys.argv) > 1 else MEMORY_BYTES)
