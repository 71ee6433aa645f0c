"""Time the three exports of a big portfolio and measure the process's peak memory.

Run: .venv/bin/python benchmarks/export.py [--entries 2000] [--attachments 500]
The snapshot has 2,000 entries across ILM, EcoMentor and ST1379 and 500 real attachment files
(20-200 KB of random bytes, written to a temporary folder). zip_s is the whole
`build_bundle`, which builds its own workbook and diary before zipping. peak_mb is the
process's peak resident memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`, interpreter and
imports included), not a tracemalloc figure. `long_words_pdf_s` is a diary of 40 sessions each
holding one 3,000-letter word (cut across lines; it once took minutes and gigabytes). The last
line is always `xlsx_s=N pdf_s=N zip_s=N peak_mb=N`.
"""

from __future__ import annotations

import argparse
import functools
import random
import resource
import string
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.snapshots builds the portfolio

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from exports.bundle import build_bundle  # noqa: E402
from exports.pdf import build_diary  # noqa: E402
from exports.xlsx import build_workbook  # noqa: E402
from journal.frameworks.registry import Registry, load_registry  # noqa: E402
from journal.snapshot import PortfolioSnapshot  # noqa: E402
from tests.snapshots import large_snapshot, session  # noqa: E402

Builder = Callable[[PortfolioSnapshot, Registry, Path], Path]


def timed(build: Builder, snapshot: PortfolioSnapshot, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds: CPU time shows the work when other processes share the cores."""
    registry = load_registry(None)
    wall, cpu = time.perf_counter(), time.process_time()
    build(snapshot, registry, out)
    return time.perf_counter() - wall, time.process_time() - cpu


def long_words_snapshot(snapshot: PortfolioSnapshot, sessions: int = 40) -> PortfolioSnapshot:
    rng = random.Random(7)
    words = ("".join(rng.choices(string.ascii_letters, k=3000)) for _ in range(sessions))
    return replace(
        snapshot, entries=tuple(session(n, n, 60, summary=w) for n, w in enumerate(words, 1))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--attachments", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mentorlog-bench-") as tmp:
        folder = Path(tmp)
        snapshot = large_snapshot(folder / "files", args.entries, args.attachments)
        xlsx_s, xlsx_cpu = timed(build_workbook, snapshot, folder / "portfolio.xlsx")
        pdf_s, pdf_cpu = timed(build_diary, snapshot, folder / "diary.pdf")
        signed = functools.partial(build_bundle, key=Ed25519PrivateKey.generate())
        zip_s, zip_cpu = timed(signed, snapshot, folder / "bundle.zip")
        sizes = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}
        long_s, _ = timed(build_diary, long_words_snapshot(snapshot), folder / "long.pdf")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    attachments = sum(len(e.attachments) for e in snapshot.entries)
    files = " ".join(f"{name}={size / 1e6:.1f}MB" for name, size in sorted(sizes.items()))
    print(f"entries={len(snapshot.entries)} attachments={attachments} {files}")
    print(f"cpu: xlsx_s={xlsx_cpu:.2f} pdf_s={pdf_cpu:.2f} zip_s={zip_cpu:.2f}")
    print(f"total_s={xlsx_s + pdf_s + zip_s:.2f} (zip_s includes its own xlsx and pdf)")
    print(f"long_words_pdf_s={long_s:.2f} (40 sessions of one 3,000-letter word)")
    print(f"xlsx_s={xlsx_s:.2f} pdf_s={pdf_s:.2f} zip_s={zip_s:.2f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
