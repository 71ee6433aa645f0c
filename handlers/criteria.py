"""Short, stable button codes for criteria and their labels in the chat."""

from __future__ import annotations

from collections.abc import Collection

from journal.frameworks.model import Criterion
from journal.frameworks.registry import Registry


def criterion_key(registry: Registry, criterion_id: str) -> str:
    """`ilm.41`: the framework and the criterion's position, well inside 64 bytes."""
    framework = registry.get(criterion_id.split(":", 1)[0])
    ids = [c.id for c in framework.criteria] if framework else []
    return f"{framework.id}.{ids.index(criterion_id)}" if criterion_id in ids else ""


def criterion_from_key(registry: Registry, key: str, followed: Collection[str]) -> Criterion | None:
    """The criterion behind a button, if its framework is one of those `followed`."""
    framework_id, _, index = key.partition(".")
    framework = registry.get(framework_id) if framework_id in followed else None
    if framework is None or not index.isdigit() or int(index) >= len(framework.criteria):
        return None
    return framework.criteria[int(index)]


def short_code(criterion: Criterion) -> str:
    """`K15`, `D3.06 2.1`, `M2_JM_05 4.4`: what a mentor types and reads."""
    if criterion.id.endswith(f":{criterion.code}"):
        return criterion.code
    return f"{criterion.unit_code} {criterion.code}"
