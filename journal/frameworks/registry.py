"""The frameworks a centre has: the built-in data files plus the ones it imported."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from journal.frameworks.loader import FrameworkError, load_file
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
    """Validate a centre's framework file and keep a copy where the bot loads it from."""
    fw = load_file(path)
    builtin = {load_file(p).id for p in _framework_files(BUILTIN_DIR)}
    if fw.id in builtin:
        raise FrameworkError(str(path), None, f"framework id '{fw.id}' is a built-in framework")
    centre_dir.mkdir(parents=True, exist_ok=True)
    for old in _framework_files(centre_dir):
        if load_file(old).id == fw.id:
            old.unlink()
    shutil.copyfile(path, centre_dir / f"{fw.id}{path.suffix.lower()}")
    load_registry.cache_clear()
    return fw
