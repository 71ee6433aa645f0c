"""Realistic PortfolioSnapshot objects for the tests and the benchmark, with no database."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from journal.entries import Kind, format_ref
from journal.frameworks.registry import load_registry
from journal.snapshot import (
    AttachmentRecord,
    ConfirmationRecord,
    DecisionRecord,
    EntryRecord,
    GoalRecord,
    GoalReviewRecord,
    MarkRecord,
    PortfolioSnapshot,
)

CANDIDATE = "Anna Kowalska"
SUPERVISOR = "Maria Jones"
ASSESSOR = "Peter Grant"
MENTEES = ("Jon Baker", "Ola Nowak")
START = date(2026, 2, 2)
GENERATED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
FORMULA_TEXT = '=HYPERLINK("http://example.test","click")'


def when(day: int, hour: int = 18) -> datetime:
    return datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC).replace(
        hour=hour
    )


def entry(
    number: int,
    kind: Kind,
    day: int,
    data: dict[str, Any],
    *,
    mentees: tuple[str, ...] = (),
    minutes: int | None = None,
    tags: tuple[str, ...] = (),
    attachments: tuple[AttachmentRecord, ...] = (),
    author: str = CANDIDATE,
) -> EntryRecord:
    return EntryRecord(
        ref=format_ref(number),
        kind=kind,
        occurred_on=START + timedelta(days=day),
        recorded_at=when(day),
        author=author,
        data=data,
        mentees=mentees,
        duration_minutes=minutes,
        tags=tags,
        attachments=attachments,
    )


def session(
    number: int,
    day: int,
    minutes: int,
    *,
    mentees: tuple[str, ...] = MENTEES[:1],
    tags: tuple[str, ...] = (),
    **fields: str,
) -> EntryRecord:
    data = {
        "format": "one_to_one" if len(mentees) == 1 else "group",
        "mode": "in_person",
        "plan": "Shift handover checklist",
        "summary": "Went through the checklist twice; the mentee led the second run.",
        "progress": "Needed two prompts instead of five.",
        "next_steps": "Lead the handover alone on Friday.",
        **fields,
    }
    return entry(number, Kind.SESSION, day, data, mentees=mentees, minutes=minutes, tags=tags)


def write_file(folder: Path, name: str, size: int, rng: random.Random) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(rng.randbytes(size))
    return path


def attachment(ref: str, path: Path, original_name: str | None = None) -> AttachmentRecord:
    data = path.read_bytes()
    return AttachmentRecord(
        entry_ref=ref,
        kind="photo" if path.suffix == ".jpg" else "document",
        path=path,
        original_name=original_name or path.name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        mime_type="image/jpeg" if path.suffix == ".jpg" else "application/pdf",
    )


def ilm_snapshot(files_dir: Path | None = None) -> PortfolioSnapshot:
    """Ten hours of mentoring (D3.06 met, D3.07 not), one coaching session, every kind."""
    jon, ola = MENTEES
    entries = [
        entry(
            1,
            Kind.CONTRACT,
            0,
            {
                "boundaries": "Work topics only; I refer personal issues to HR.",
                "confidentiality": "Notes stay with us unless there is a safety risk.",
                "frequency": "Weekly, 75 minutes",
            },
            mentees=(jon,),
            tags=("ilm:D3.06/1.2",),
        ),
    ]
    for i in range(8):
        tags = ("ilm:D3.06/2.1", "ilm:D3.07/2.3") if i % 2 else ("ilm:D3.06/2.1",)
        extra = {"plan": FORMULA_TEXT} if i == 0 else {}
        if i == 1:
            extra["reflection"] = "I talked too much 🙈 — next time I’ll ask “what would you do?”"
        entries.append(session(2 + i, 7 * (i + 1), 75, tags=tags, **extra))
    entries.append(
        session(10, 60, 90, mentees=(ola,), tags=("ilm:D3.03/2.1",), plan="Coaching: Excel")
    )
    entries += [
        entry(
            11,
            Kind.REFLECTION,
            61,
            {"worked": "Letting Jon lead.", "differently": "Fewer prompts.", "impact": "Faster"},
            tags=("ilm:D3.06/4.1",),
        ),
        entry(
            12,
            Kind.FEEDBACK,
            7,
            {
                "source": "mentee",
                "from_name": jon,
                "about_ref": "E-0002",
                "rating": 4,
                "text": "Doing it for real was better than reading the checklist.",
            },
            author=jon,
            tags=("ilm:D3.07/3.2",),
        ),
        entry(
            13,
            Kind.SUPERVISION,
            30,
            {"discussion": "Reviewed my diary with Maria.", "actions": "Try the GROW model."},
            tags=("ilm:D3.06/4.1", "ilm:D3.07/1.1"),
        ),
        entry(
            14,
            Kind.GOAL,
            1,
            {"owner": jon, "statement": "Run the handover alone", "status": "on_track"},
            mentees=(jon,),
            tags=("ilm:D3.07/2.1",),
        ),
        entry(15, Kind.CPD, 40, {"activity": "Read ‘The Coaching Habit’"}),
    ]
    if files_dir is not None:
        rng = random.Random(4)
        photo = write_file(files_dir, "handover.jpg", 30_000, rng)
        entries.append(
            entry(
                16,
                Kind.EVIDENCE,
                20,
                {"caption": "Signed handover checklist", "evidence_type": "product"},
                tags=("ilm:D3.06/2.2",),
                attachments=(attachment("E-0016", photo),),
            )
        )
    return PortfolioSnapshot(
        portfolio_id=1,
        candidate=CANDIDATE,
        framework_ids=("ilm",),
        generated_at=GENERATED,
        entries=tuple(entries),
        goals=(
            GoalRecord(
                ref="E-0014",
                owner=jon,
                statement="Run the handover alone",
                measure="No prompts needed",
                target_date=START + timedelta(days=90),
                status="on_track",
                reviews=(
                    GoalReviewRecord(
                        "E-0017", START + timedelta(days=30), "Halfway", None, "on_track"
                    ),
                ),
            ),
        ),
        decisions=(
            DecisionRecord(
                "ilm:D3.06/1.2", "not_yet", "Add the signed contract", ASSESSOR, when(70)
            ),
            DecisionRecord("ilm:D3.06/1.2", "met", "Contract now attached", ASSESSOR, when(80)),
        ),
        marks=(
            MarkRecord("ilm", "D3.06", "1", "30", ASSESSOR, when(80)),
            MarkRecord("ilm", "D3.06", "2", "25", ASSESSOR, when(80)),
        ),
        confirmations=(
            ConfirmationRecord("hours", SUPERVISOR, "E-0002", 75, "Observed the session", when(8)),
        ),
        mentees=MENTEES,
    )


def st1379_snapshot(files_dir: Path | None = None, pieces: int = 12) -> PortfolioSnapshot:
    """An ST1379 portfolio of `pieces` pieces of evidence (sessions and a contract) whose free
    text is full of the mentees' real names, with a reflection and a self-assessment to leave
    out and the employer and apprentice statement."""
    jon, ola = MENTEES
    ksbs = [
        f"st1379:{c}"
        for c in (
            "K1",
            "K2",
            "K3",
            "K5",
            "K6",
            "K10",
            "K11",
            "K14",
            "K15",
            "K16",
            "S2",
            "S5",
            "S6",
            "S13",
            "S14",
            "B3",
            "B5",
        )
    ]
    entries = []
    for i in range(pieces - 1):
        who = (jon,) if i % 2 == 0 else (ola,)
        entries.append(
            session(
                1 + i,
                3 * i,
                60,
                mentees=who,
                tags=(ksbs[i % len(ksbs)], ksbs[(i + 7) % len(ksbs)]),
                summary=f"{who[0]} planned the week; JON BAKER's rota and Ola’s notes compared.",
                progress="Jon is more confident; ola asked good questions.",
                reflection="Reflective account: I should listen more to Jon.",
            )
        )
    n = pieces - 1
    rng = random.Random(7)
    contract_files: tuple[AttachmentRecord, ...] = ()
    if files_dir is not None:
        path = write_file(files_dir, "contract.pdf", 20_000, rng)
        contract_files = (attachment(format_ref(n + 1), path, "jon-baker-contract.pdf"),)
    entries += [
        entry(
            n + 1,
            Kind.EVIDENCE,
            40,
            {"caption": f"Mentoring contract signed by {jon}", "evidence_type": "product"},
            mentees=(jon,),
            tags=tuple(ksbs[:3]),
            attachments=contract_files,
        ),
        entry(
            n + 2,
            Kind.REFLECTION,
            41,
            {"worked": f"Working with {ola} on goals", "impact": "Ola improved"},
            tags=("st1379:K10",),
        ),
        entry(
            n + 3,
            Kind.EVIDENCE,
            42,
            {"caption": "My self-assessment against the KSBs", "evidence_type": "statement"},
            tags=("st1379:K14",),
        ),
        entry(
            n + 4,
            Kind.EVIDENCE,
            43,
            {
                "caption": "Employer and apprentice statement: the evidence is Anna's own",
                "evidence_type": "statement",
                "statement_of": "employer_apprentice",
            },
        ),
        entry(
            n + 5,
            Kind.FEEDBACK,
            44,
            {
                "source": "mentee",
                "from_name": ola,
                "about_ref": "E-0002",
                "rating": 5,
                "text": "Thanks, Anna! — Ola",
            },
            author=ola,
        ),
    ]
    return PortfolioSnapshot(
        portfolio_id=2,
        candidate=CANDIDATE,
        framework_ids=("st1379",),
        generated_at=GENERATED,
        entries=tuple(entries),
        goals=(
            GoalRecord(
                "E-0090", ola, f"{ola} leads a team meeting", "Jon Baker attends", None, "open"
            ),
        ),
        decisions=(
            DecisionRecord("st1379:K2", "met", "Clear contract with Jon", ASSESSOR, when(50)),
        ),
        marks=(
            MarkRecord("st1379", "epa", "observation", "Pass", ASSESSOR, when(90)),
            MarkRecord("st1379", "epa", "discussion", "Distinction", ASSESSOR, when(90)),
        ),
        confirmations=(
            ConfirmationRecord(
                "testimony", SUPERVISOR, "E-0002", None, "Observed Ola Nowak's session", when(5)
            ),
        ),
        mentees=MENTEES,
    )


def ecomentor_snapshot(covered: int = 3) -> PortfolioSnapshot:
    """An EcoMentor portfolio with evidence for the first `covered` criteria only."""
    framework = load_registry(None).get("ecomentor")
    assert framework is not None
    entries = tuple(
        session(1 + i, i, 60, tags=(c.id,)) for i, c in enumerate(framework.criteria[:covered])
    )
    return PortfolioSnapshot(
        portfolio_id=3,
        candidate=CANDIDATE,
        framework_ids=("ecomentor",),
        generated_at=GENERATED,
        entries=entries,
        mentees=MENTEES,
    )


_KIND_MIX = (
    (Kind.SESSION, 40), (Kind.EVIDENCE, 25), (Kind.FEEDBACK, 12), (Kind.REFLECTION, 8),
    (Kind.SUPERVISION, 4), (Kind.CPD, 5), (Kind.GOAL, 3), (Kind.GOAL_REVIEW, 2),
    (Kind.CONTRACT, 1),
)  # fmt: skip
_SAMPLE = (
    "mentee planned reviewed checklist handover rota goal progress feedback prompt "
    "confidence listened asked questions agreed actions “quoted” notes week team safety"
)
_WORDS = tuple(_SAMPLE.split())


def large_snapshot(
    files_dir: Path,
    entries: int = 2000,
    attachments: int = 500,
    framework_ids: tuple[str, ...] = ("ilm", "ecomentor", "st1379"),
    seed: int = 1,
) -> PortfolioSnapshot:
    """A big portfolio: random but realistic text, tags and real attachment files."""
    rng = random.Random(seed)
    registry = load_registry(None)
    criteria = [c.id for fid in framework_ids for c in registry.frameworks[fid].criteria]
    mentees = tuple(f"Mentee{i} Surname{i}" for i in range(6))
    kinds = [k for k, weight in _KIND_MIX for _ in range(weight)]

    def words(n: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."

    records = []
    for n in range(1, entries + 1):
        kind = rng.choice(kinds)
        who = tuple(rng.sample(mentees, rng.choice((1, 1, 1, 2))))
        tags = tuple(rng.sample(criteria, rng.choice((0, 1, 2, 3))))
        data: dict[str, Any] = {"format": "one_to_one", "mode": "remote"}
        if kind == Kind.SESSION:
            data |= {
                "plan": words(8),
                "summary": words(40),
                "progress": words(15),
                "next_steps": words(10),
                "reflection": words(20),
            }
        elif kind == Kind.EVIDENCE:
            data = {"caption": words(8), "evidence_type": rng.choice(["product", "witness"])}
        elif kind == Kind.FEEDBACK:
            data = {
                "source": "mentee",
                "from_name": who[0],
                "rating": rng.randint(1, 5),
                "text": words(20),
                "about_ref": format_ref(max(1, n - 3)),
            }
        else:
            data = {
                "worked": words(25),
                "discussion": words(25),
                "activity": words(10),
                "statement": words(10),
                "progress": words(10),
                "owner": who[0],
                "status": "open",
                "goal_ref": format_ref(max(1, n - 1)),
                "boundaries": words(15),
            }
        records.append(
            entry(
                n,
                kind,
                n // 8,
                data,
                mentees=who,
                tags=tags,
                minutes=rng.choice((30, 45, 60, 75, 90)) if kind == Kind.SESSION else None,
            )
        )
    evidence = [i for i, r in enumerate(records) if r.kind == Kind.EVIDENCE]
    for k in range(attachments):
        i = evidence[k % len(evidence)]
        ref = records[i].ref
        path = write_file(files_dir, f"{k:04d}.jpg", rng.randint(20_000, 200_000), rng)
        records[i] = replace(
            records[i], attachments=(*records[i].attachments, attachment(ref, path))
        )
    return PortfolioSnapshot(
        portfolio_id=9,
        candidate=CANDIDATE,
        framework_ids=framework_ids,
        generated_at=GENERATED,
        entries=tuple(records),
        mentees=mentees,
    )
