"""The ST1379 gateway portfolio as the apprentice curates it (seed 002, "Portfolio of evidence
requirements"): which pieces go in, and a line on how each shows every KSB it is mapped to.

- **Pieces.** "The portfolio of evidence will typically contain 10-16 discrete pieces of
  evidence": outside that range is a warning (`range_warning`), never a refusal, since the
  plan says "typically".
- **Claims.** "Evidence should be mapped against the KSBs": a piece is mapped to the KSBs the
  apprentice tagged or confirmed (`EntryRecord.tags`); tags the bot added by rule (a mentee's
  rating) are not claims, so an entry with only those is not offered (`candidates`).
- **Lines.** The independent assessor reviews the portfolio "to prepare questions for the
  discussion": each piece says in one line how it shows each KSB it is mapped to
  (`missing_lines`).
- **Employer contributions** "should focus on direct observation of performance (for example
  witness statements) rather than opinions": feedback from the employer or supervisor and
  witness testimony go in only marked as direct observation, with what was observed
  (`refusal`); otherwise they are refused as opinion.
- **Left out**, as the export leaves them out: reflective accounts and self-assessment, the
  employer and apprentice statement (it confirms the evidence, it is not a piece), and the
  off-the-job training log (the training that developed the KSBs, exported on its own sheet,
  not evidence of practising them).
- **Themes.** The export groups the pieces by the professional discussion's grading themes
  (`by_theme`) and names the discussion's KSBs still without a selected piece
  (`discussion_gaps`). `portfolio_ready` says whether the selection is ready for the gateway,
  or what is missing (journal.gateway asks it).
- **Grades** belong to the EPA: "The EPAO should not assess the portfolio of evidence
  directly", so the gateway portfolio carries none (`without_grades`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from journal.anonymisation import EMAIL_LABEL, NameRedactor, people_of
from journal.entries import Kind
from journal.frameworks.model import Framework
from journal.rule_checks import RuleCheck, Status
from journal.snapshot import EntryRecord, EpaPieceRecord, PortfolioSnapshot
from journal.st1379_rules import (
    DISCUSSION,
    MENTEES_NEEDED,
    PIECES,
    ST1379,
    is_employer_statement,
    is_reflective,
)

LINE_LIMIT = 300  # one line on a phone; the assessor reads dozens of them
PAGE_SIZE = 8  # candidate pieces per page of /epa
# Feedback from these sources is the employer's or supervisor's (handlers.flows FEEDBACK,
# storage.answers for a supervisor's answer to a request).
EMPLOYER_SOURCES = frozenset({"supervisor", "employer"})
WITNESS = "witness"
OTHER_THEME = "KSBs of the observation"


class Refusal(StrEnum):
    """Why an entry cannot go into the gateway portfolio."""

    GONE = "gone"  # deleted, or not in this portfolio
    REFLECTIVE = "reflective"
    STATEMENT = "statement"
    TRAINING = "training"
    NO_CLAIM = "no_claim"
    OPINION = "opinion"


class Range(StrEnum):
    FEW = "few"
    MANY = "many"


def claims(entry: EntryRecord) -> tuple[str, ...]:
    """The ST1379 KSBs the apprentice mapped the entry to (rule tags are never claims)."""
    prefix = f"{ST1379}:"
    return tuple(t for t in entry.tags if t.startswith(prefix))


def is_employer_contribution(entry: EntryRecord) -> bool:
    """Feedback from the employer or supervisor, or a witness testimony."""
    if entry.kind == Kind.FEEDBACK:
        return entry.data.get("source") in EMPLOYER_SOURCES
    return entry.kind == Kind.EVIDENCE and entry.data.get("evidence_type") == WITNESS


def refusal(entry: EntryRecord | None, observed: str | None = None) -> Refusal | None:
    """Why `entry` cannot be a piece of the gateway portfolio, or None; `observed` is what the
    apprentice says the employer observed (an employer contribution needs it)."""
    if entry is None:
        return Refusal.GONE
    if is_employer_statement(entry):
        return Refusal.STATEMENT
    if is_reflective(entry):
        return Refusal.REFLECTIVE
    if entry.kind == Kind.OTJ:
        return Refusal.TRAINING
    if not claims(entry):
        return Refusal.NO_CLAIM
    if is_employer_contribution(entry) and not (observed or "").strip():
        return Refusal.OPINION
    return None


def candidates(snapshot: PortfolioSnapshot) -> list[EntryRecord]:
    """The entries the apprentice may pick, in date order (an employer contribution is
    offered: picking it asks whether it records direct observation)."""
    found = [e for e in snapshot.entries if refusal(e, observed="offered") is None]
    return sorted(found, key=lambda e: (e.occurred_on, e.ref))


def rule_tagged_only(snapshot: PortfolioSnapshot) -> list[EntryRecord]:
    """Entries the bot tagged to KSBs by rule that the apprentice has not mapped (a mentee's
    rating): not offered, since a rule tag is not a claim."""
    prefix = f"{ST1379}:"
    return [
        e
        for e in snapshot.entries
        if not claims(e) and any(t.startswith(prefix) for t in e.auto_tags)
    ]


def page_of(items: Sequence[EntryRecord], page: int) -> tuple[list[EntryRecord], int, int]:
    """One page of candidates: (the items, the page shown, the number of pages)."""
    pages = max((len(items) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 0), pages - 1)
    return list(items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]), page, pages


def range_warning(count: int) -> Range | None:
    """Outside "typically 10-16 discrete pieces": a warning, not a refusal."""
    low, high = PIECES
    if count < low:
        return Range.FEW
    if count > high:
        return Range.MANY
    return None


def one_line(text: str) -> str:
    """A KSB line or what was observed as one line; ValueError when empty or too long."""
    line = " ".join((text or "").split())
    if not line:
        raise ValueError("empty")
    if len(line) > LINE_LIMIT:
        raise ValueError("too long")
    return line


@dataclass(frozen=True)
class Chosen:
    """A selected piece that is still a piece: its entry and the apprentice's lines."""

    entry: EntryRecord
    piece: EpaPieceRecord

    @property
    def ksbs(self) -> tuple[str, ...]:
        return claims(self.entry)

    @property
    def missing(self) -> tuple[str, ...]:
        """KSBs it is mapped to without a line yet."""
        return tuple(k for k in self.ksbs if not (self.piece.lines.get(k) or "").strip())


@dataclass(frozen=True)
class Selection:
    chosen: tuple[Chosen, ...]
    # Selected refs that are no longer pieces (deleted, reflective, no KSB claimed ...).
    dropped: tuple[tuple[str, Refusal], ...]

    @property
    def exists(self) -> bool:
        return bool(self.chosen or self.dropped)

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(c.entry.ref for c in self.chosen)


def selection(snapshot: PortfolioSnapshot) -> Selection:
    """The apprentice's selection as it stands now, in date order."""
    by_ref = {e.ref: e for e in snapshot.entries}
    chosen, dropped = [], []
    for piece in snapshot.epa_pieces:
        entry = by_ref.get(piece.entry_ref)
        why = refusal(entry, piece.observed)
        if why is None and entry is not None:
            chosen.append(Chosen(entry, piece))
        else:
            dropped.append((piece.entry_ref, why or Refusal.GONE))
    chosen.sort(key=lambda c: (c.entry.occurred_on, c.entry.ref))
    return Selection(tuple(chosen), tuple(dropped))


def missing_lines(chosen: Iterable[Chosen]) -> dict[str, tuple[str, ...]]:
    """Ref -> the KSBs it is mapped to without a line, for the pieces that lack any."""
    return {c.entry.ref: c.missing for c in chosen if c.missing}


def discussion_ksbs(framework: Framework) -> tuple[str, ...]:
    """Criterion ids of the KSBs the professional discussion assesses, in framework order."""
    methods = framework.extra.get("methods") or []
    title = next((m["title"] for m in methods if m.get("code") == DISCUSSION), None)
    return tuple(c.id for c in framework.criteria if title in c.methods)


def discussion_gaps(framework: Framework, chosen: Iterable[Chosen]) -> tuple[str, ...]:
    """Codes of the discussion's KSBs that no selected piece is mapped to."""
    mapped = {k for c in chosen for k in c.ksbs}
    codes = {c.id: c.code for c in framework.criteria}
    return tuple(codes[k] for k in discussion_ksbs(framework) if k not in mapped)


@dataclass(frozen=True)
class ThemeItem:
    chosen: Chosen
    lines: tuple[tuple[str, str], ...]  # (criterion id, the apprentice's line) of this theme


@dataclass(frozen=True)
class ThemeGroup:
    theme: str
    ksbs: tuple[str, ...]  # criterion ids of the theme
    items: tuple[ThemeItem, ...]


def _themes(framework: Framework) -> list[tuple[str, tuple[str, ...]]]:
    methods = framework.extra.get("methods") or []
    method = next((m for m in methods if m.get("code") == DISCUSSION), {})
    return [
        (t["theme"], tuple(f"{framework.id}:{k}" for k in t.get("ksbs") or ()))
        for t in method.get("themes") or ()
    ]


def by_theme(framework: Framework, chosen: Sequence[Chosen]) -> list[ThemeGroup]:
    """The pieces under each grading theme of the professional discussion, each with its
    lines for that theme's KSBs (a piece mapped to two themes is under both); the KSBs of
    the observation a piece is also mapped to come last, under OTHER_THEME."""
    groups = []
    themed: set[str] = set()
    for theme, ksbs in [*_themes(framework), (OTHER_THEME, ())]:
        themed |= set(ksbs)
        items = []
        for c in chosen:
            mine = [k for k in c.ksbs if (k in ksbs if ksbs else k not in themed)]
            if mine:
                items.append(ThemeItem(c, tuple((k, c.piece.lines.get(k, "")) for k in mine)))
        if items or ksbs:
            groups.append(ThemeGroup(theme, ksbs, tuple(items)))
    return groups


@dataclass(frozen=True)
class Readiness:
    """Whether the gateway portfolio is ready: `missing` says what is not (plain English, one
    item each); `warnings` are worth a look but do not stop the gateway."""

    missing: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.missing


def _codes(ids: Iterable[str]) -> str:
    return ", ".join(i.split(":", 1)[-1] for i in ids)


def portfolio_ready(snapshot: PortfolioSnapshot, framework: Framework) -> Readiness:
    """Ready for the gateway, or what is missing: a selection, a line for each KSB of each
    piece, every KSB of the professional discussion with a piece, two mentees shown."""
    found = selection(snapshot)
    missing: list[str] = []
    warnings: list[str] = []
    if not found.chosen:
        missing.append("no pieces of evidence selected for the EPA portfolio (/epa)")
    for ref, codes in missing_lines(found.chosen).items():
        missing.append(f"{ref} has no line on how it shows {_codes(codes)}")
    gaps = discussion_gaps(framework, found.chosen)
    if found.chosen and gaps:
        missing.append(f"KSBs of the professional discussion without a piece: {', '.join(gaps)}")
    mentees = {m for c in found.chosen for m in c.entry.mentees}
    if found.chosen and len(mentees) < MENTEES_NEEDED:
        missing.append(
            f"the pieces show {len(mentees)} mentee(s); the portfolio should show "
            f"the mentoring relationship with {MENTEES_NEEDED}"
        )
    for ref, why in found.dropped:
        warnings.append(f"{ref} was selected but is no longer a piece ({DROPPED[why]})")
    count = len(found.chosen)
    if found.chosen and range_warning(count):
        low, high = PIECES
        warnings.append(f"{count} pieces selected; the plan expects typically {low}-{high}")
    return Readiness(tuple(missing), tuple(warnings))


DROPPED = {
    Refusal.GONE: "deleted",
    Refusal.REFLECTIVE: "a reflective account or self-assessment",
    Refusal.STATEMENT: "the employer and apprentice statement",
    Refusal.TRAINING: "off-the-job training",
    Refusal.NO_CLAIM: "no KSB mapped to it any more",
    Refusal.OPINION: "an employer's opinion, not direct observation",
}


def selection_checks(view: PortfolioSnapshot, framework: Framework) -> list[RuleCheck]:
    """The export's checks of the selection: whether one exists (without it the export holds
    every piece) and whether each piece has its KSB lines."""

    def check(rule: str, status: Status, message: str) -> RuleCheck:
        return RuleCheck(framework.id, rule, status, message)

    found = selection(view)
    if not found.exists:
        return [
            check(
                "selection",
                Status.FAILED,
                "no EPA portfolio selection: this export holds every piece of evidence, "
                "not the pieces chosen for the gateway",
            )
        ]
    if not found.chosen:
        message = "the EPA portfolio selection has no piece left: every piece selected was dropped"
        return [check("selection", Status.FAILED, message)]
    checks = [
        check(
            "selection",
            Status.PASSED,
            f"the gateway portfolio is the apprentice's selection of {len(found.chosen)} "
            "piece(s), grouped by the professional discussion's themes",
        )
    ]
    if found.dropped:
        gone = "; ".join(f"{ref} ({DROPPED[why]})" for ref, why in found.dropped)
        checks.append(
            check("selection_dropped", Status.CHECK, f"selected but no longer pieces: {gone}")
        )
    lacking = missing_lines(found.chosen)
    if lacking:
        listed = "; ".join(f"{ref} ({_codes(codes)})" for ref, codes in lacking.items())
        checks.append(
            check("ksb_lines", Status.FAILED, f"pieces without a line for a KSB: {listed}")
        )
    else:
        message = "every selected piece says how it shows each KSB it is mapped to"
        checks.append(check("ksb_lines", Status.PASSED, message))
    return checks


def gateway_view(original: PortfolioSnapshot, view: PortfolioSnapshot) -> PortfolioSnapshot:
    """What the gateway portfolio shows once a selection exists: the selected pieces, the
    employer and apprentice statement, their goals and confirmations, and the lines written
    as anonymised as the rest (`view` is the export's view of `original`). Without a
    selection, `view` as it is."""
    found = selection(view)
    if ST1379 not in view.framework_ids or not found.exists:
        return view
    keep = set(found.refs) | {e.ref for e in view.entries if is_employer_statement(e)}
    pieces = tuple(c.piece for c in found.chosen)
    if view.anonymised:
        # The redactor journal.anonymisation.anonymise applies to the rest of the view.
        red = NameRedactor(people=people_of(original), emails=EMAIL_LABEL)
        pieces = tuple(
            replace(
                p,
                lines={k: red.text(v) for k, v in p.lines.items()},
                observed=red.optional(p.observed),
            )
            for p in pieces
        )
    return replace(
        view,
        entries=tuple(e for e in view.entries if e.ref in keep),
        goals=tuple(g for g in view.goals if g.ref in keep),
        confirmations=tuple(c for c in view.confirmations if c.entry_ref in keep),
        epa_pieces=pieces,
    )


def without_grades(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    """The gateway portfolio's snapshot: no ST1379 method grades (nor so the overall grade),
    which stay in the assessor's records and the assessor's export."""
    if ST1379 not in snapshot.framework_ids:
        return snapshot
    return replace(snapshot, marks=tuple(m for m in snapshot.marks if m.framework_id != ST1379))
