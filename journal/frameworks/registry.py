"""The frameworks a centre has: the built-in data files plus the ones it imported."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from journal.frameworks.loader import FrameworkError, load_file, parse_text, read_file
from journal.frameworks.model import Criterion, Framework

BUILTIN_DIR = Path(__file__).parent / "builtin"


@dataclass(frozen=True)
class Registry:
    frameworks: dict[str, Framework]

    def get(self, framework_id: str) -> Framework | None:
        return self.frameworks.get(framework_id.strip().lower())

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.frameworks.values())

    def criterion(self, criterion_id: str) -> Criterion | None:
        framework = self.get(criterion_id.split(":", 1)[0])
        return framework.criterion(criterion_id) if framework else None


def _framework_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".yaml", ".yml", ".csv"})


@lru_cache(maxsize=8)
def load_registry(centre_dir: Path | None = None) -> Registry:
    """Built-in frameworks first; a centre's file may not replace a built-in one."""
    frameworks: dict[str, Framework] = {}
    for path in _framework_files(BUILTIN_DIR):
        fw = load_file(path)
        frameworks[fw.id] = fw
    for path in _framework_files(centre_dir) if centre_dir else []:
        fw = load_file(path)
        if fw.id in frameworks:
            raise FrameworkError(str(path), None, f"framework id '{fw.id}' is already taken")
        frameworks[fw.id] = fw
    return Registry(frameworks)


def import_framework(path: Path, centre_dir: Path) -> Framework:
    """Validate a centre's framework file and keep a copy where the bot loads it from.

    The text that was validated is what is kept (not the file read a second time). It is
    written beside its final name and renamed over it, so that a failed write (a full disk)
    leaves the previous version in place; an older file of the same framework under another
    suffix goes only once the new one is in place.
    """
    if path.suffix.lower() not in {".yaml", ".yml", ".csv"}:
        raise FrameworkError(str(path), None, "must be a .yaml, .yml or .csv file")
    text = read_file(path)
    fw = parse_text(text, str(path), path.suffix)
    builtin = {load_file(p).id for p in _framework_files(BUILTIN_DIR)}
    if fw.id in builtin:
        raise FrameworkError(str(path), None, f"framework id '{fw.id}' is a built-in framework")
    centre_dir.mkdir(parents=True, exist_ok=True)
    target = centre_dir / f"{fw.id}{path.suffix.lower()}"
    stale = [p for p in _framework_files(centre_dir) if p != target and load_file(p).id == fw.id]
    partial = centre_dir / f".{target.name}.part"  # not a framework file until renamed
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    for old in stale:
        old.unlink()
    load_registry.cache_clear()
    return fw
