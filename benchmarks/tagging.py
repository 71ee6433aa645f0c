"""Top-5 hit rate and latency of tag suggestions over the labelled set.

Run: .venv/bin/python benchmarks/tagging.py [--misses] [--split dev|heldout]
An entry is a hit when any of its expected criteria is among the top 5 suggestions.
The last line is always `top5_hit_rate=N` over the entries selected.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from journal.frameworks.registry import load_registry
from journal.tagging import Tagger

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "labelled" / "tagging_labelled.yaml"


def load_entries(split: str | None = None) -> list[dict[str, Any]]:
    entries = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["entries"]
    return [e for e in entries if split is None or e["split"] == split]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev", "heldout"))
    parser.add_argument("--misses", action="store_true", help="print the entries missed")
    args = parser.parse_args()

    frameworks = list(load_registry(None))
    started = time.perf_counter()
    tagger = Tagger(frameworks)
    build_ms = (time.perf_counter() - started) * 1000
    entries = load_entries(args.split)

    hits: dict[str, list[bool]] = defaultdict(list)
    by_split: dict[str, list[bool]] = defaultdict(list)
    elapsed = 0.0
    for entry in entries:
        started = time.perf_counter()
        suggestions = tagger.suggest(
            entry["kind"],
            entry["text"],
            [entry["framework"]],
            duration_minutes=entry.get("duration_minutes"),
        )
        elapsed += time.perf_counter() - started
        ids = [s.criterion_id for s in suggestions]
        hit = any(x in ids for x in entry["expected"])
        hits[entry["framework"]].append(hit)
        by_split[entry["split"]].append(hit)
        if args.misses and not hit:
            print(f"MISS {entry['id']} {entry['kind']}: {entry['text']}")
            print(f"     expected {entry['expected']}")
            for s in suggestions:
                print(f"     {s.score:.3f} {s.criterion_id}  {s.reason}")

    # Steady-state latency: the first calls above also warmed the fuzzy-match cache.
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for entry in entries:
            tagger.suggest(entry["kind"], entry["text"], [entry["framework"]])
    warm_ms = (time.perf_counter() - started) * 1000 / (rounds * len(entries))

    print(f"index build ({sum(len(f.criteria) for f in frameworks)} criteria): {build_ms:.1f} ms")
    for name, results in sorted(hits.items()):
        print(f"{name}: {sum(results)}/{len(results)} = {sum(results) / len(results):.3f}")
    for name, results in sorted(by_split.items()):
        print(f"split {name}: {sum(results)}/{len(results)} = {sum(results) / len(results):.3f}")
    first_ms = elapsed * 1000 / len(entries)
    print(f"mean suggest latency: first pass {first_ms:.2f} ms, warm {warm_ms:.2f} ms")
    total = [h for results in hits.values() for h in results]
    print(f"top5_hit_rate={sum(total) / len(total):.3f}")


if __name__ == "__main__":
    main()
