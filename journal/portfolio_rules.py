"""Framework rules for a portfolio: what an export must leave out or hide, and what to check.

ST1379 (seed 002, "Portfolio of evidence requirements"), applied to the whole export of a
portfolio that follows ST1379, since the same files reach the ST1379 assessor (export a mixed
portfolio per framework when another framework needs the reflections):

- anonymised: mentees appear as "Mentee A", "Mentee B" ... (the pseudonyms the bot gave them,
  see `mentee_labels`), in every name field and inside free text (see `NameRedactor`);
- no reflective accounts or self-assessment: entries of `REFLECTIVE_KINDS`, personal
  statements (evidence of type "statement" that is not the employer and apprentice statement)
  and the "what I would do differently" field of sessions are left out;
- a "piece of evidence" is one entry tagged to at least one ST1379 KSB, however many KSBs or
  attachments it has ("Evidence may be used to demonstrate more than one KSB"); the employer
  and apprentice statement confirms the evidence and is not counted as a piece. The plan
  expects "typically 10-16 discrete pieces";
- the pieces show at least two different mentees;
- the employer and apprentice statement: an evidence entry whose data has
  `evidence_type: "statement"` and `statement_of: "employer_apprentice"`.

ILM and any framework with `min_hours` units: the hours of every mentoring unit, and of any
other hours unit that sessions were tagged to, against its minimum (journal.hours).
EcoMentor ("The candidate must produce enough evidence to meet all the learning outcomes"):
every criterion without enough evidence is listed, and every criterion must be met.

Failed checks are data for the export's cover, never exceptions.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from journal.coverage import coverage, without_evidence
from journal.ecomentor_record import unjudged_or_lacking
from journal.entries import REFLECTIVE_KINDS, Kind
from journal.frameworks.model import Framework
from journal.frameworks.registry import Registry
from journal.hours import confirmed_text, format_hours, format_minutes, unit_hours, units_in_use
from journal.snapshot import EntryRecord, PortfolioSnapshot

ST1379 = "st1379"
ECOMENTOR = "ecomentor"
STATEMENT_OF = "statement_of"
EMPLOYER_APPRENTICE = "employer_apprentice"
# "The portfolio of evidence will typically contain 10-16 discrete pieces of evidence."
PIECES = (10, 16)
# "... the mentoring relationship between the apprentice and two mentees."
MENTEES_NEEDED = 2
DISCUSSION = "discussion"
AMBIGUOUS = "[mentee]"
_LABEL = re.compile(r"^Mentee [A-Z]+$")


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    CHECK = "check"  # a person has to look: the software cannot tell


@dataclass(frozen=True)
class RuleCheck:
    framework_id: str
    rule: str
    status: Status
    message: str

    @property
    def failed(self) -> bool:
        return self.status == Status.FAILED


def is_employer_statement(entry: EntryRecord) -> bool:
    return (
        entry.kind == Kind.EVIDENCE
        and entry.data.get("evidence_type") == "statement"
        and entry.data.get(STATEMENT_OF) == EMPLOYER_APPRENTICE
    )


def is_reflective(entry: EntryRecord) -> bool:
    """A reflective account or a self-assessment, which an ST1379 portfolio leaves out."""
    personal_statement = (
        entry.kind == Kind.EVIDENCE
        and entry.data.get("evidence_type") == "statement"
        and not is_employer_statement(entry)
    )
    return entry.kind in REFLECTIVE_KINDS or personal_statement


def leave_out_reflective(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    entries = []
    for entry in snapshot.entries:
        if is_reflective(entry):
            continue
        if entry.kind == Kind.SESSION and "reflection" in entry.data:
            entry = replace(entry, data={k: v for k, v in entry.data.items() if k != "reflection"})
        entries.append(entry)
    return replace(snapshot, entries=tuple(entries))


def mentee_label(index: int) -> str:
    """0 -> 'Mentee A', 25 -> 'Mentee Z', 26 -> 'Mentee AA': a mentee's lasting pseudonym."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Mentee {letters}"


def mentee_labels(snapshot: PortfolioSnapshot) -> dict[str, str]:
    """Every mentee name in the snapshot -> its label, in a stable order.

    A name with a pseudonym keeps it, a name that is a label already (an erased mentee) stays,
    and the others take the first labels nobody has, in the order of `snapshot.mentees` then
    of first appearance. Names differing only in letter case (as `fold_case` compares them)
    are one mentee.
    """
    names: dict[str, str] = {}
    for name in _mentee_names(snapshot):
        names.setdefault(_name_key(name) or name, name)
    taken = {snapshot.pseudonyms[n] for n in names.values() if n in snapshot.pseudonyms}
    taken |= {n for n in names.values() if _LABEL.match(n)}
    labels: dict[str, str] = {}
    free = (label for label in map(mentee_label, itertools.count()) if label not in taken)
    for name in names.values():
        if name in snapshot.pseudonyms:
            labels[name] = snapshot.pseudonyms[name]
        elif _LABEL.match(name):
            labels[name] = name
        else:
            labels[name] = next(free)
    return labels


def _mentee_names(snapshot: PortfolioSnapshot) -> Iterator[str]:
    found = list(snapshot.mentees)
    for entry in snapshot.entries:
        found += entry.mentees
        if entry.kind == Kind.FEEDBACK and entry.data.get("source") == "mentee":
            found.append(str(entry.data.get("from_name") or ""))
    return (name.strip() for name in found if name.strip())


class _Folds(dict[int, str]):
    """A str.translate table folding each character (filled as characters are met)."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code)).casefold()
        decomposed = unicodedata.normalize("NFKD", decomposed)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ı", "i")
        self[code] = folded
        return folded


_FOLDS = _Folds()


def _fold_char(char: str) -> str:
    return _FOLDS[ord(char)]


def fold_case(text: str) -> str:
    """`text` as names are compared: case-folded, compatibility-decomposed, without accents,
    and with the dotless ı as i, so that Işık, IŞIK, ışık and işık, ſam and SAM, Strauß and
    STRAUSS, Zoë and zoe are each one name. Lower-casing alone misses those and could crash."""
    return text.lower() if text.isascii() else text.translate(_FOLDS)


def _name_key(name: str) -> str:
    """A name as found in text: folded, its parts one space apart."""
    return " ".join(fold_case(name).split())


class NameRedactor:
    """Replaces mentee names in text with their labels, in any letter case.

    A mentee's full name and each part of it ("Jon" of "Jon Baker") are replaced, so that
    "jon did well" and "BAKER" go too: notes typed on a phone are often lower case. The price
    is that a name which is also a word (Will, May) turns that word into the label as well;
    a part two mentees share becomes "[mentee]". Text and names are compared in their
    `fold_case` forms; the replaced spans are mapped back to the text as written, and the
    text around them is kept exactly.
    """

    def __init__(self, labels: Mapping[str, str], ambiguous: str = AMBIGUOUS) -> None:
        self.ambiguous = ambiguous
        # A name that is its own label (an erased mentee's pseudonym) needs no replacing; a
        # name with nothing left once folded (marks only) cannot be found in text.
        self.labels: dict[str, str] = {}
        for name, label in labels.items():
            key = _name_key(name)
            if name != label and key:
                self.labels.setdefault(key, label)
        parts: dict[str, set[str]] = {}
        for name, label in self.labels.items():
            for part in name.split(" "):
                if len(part) > 1 and part not in self.labels:
                    parts.setdefault(part, set()).add(label)
        self.parts = {p: next(iter(ls)) if len(ls) == 1 else ambiguous for p, ls in parts.items()}
        # Full names and their parts in one pattern, longest first, so that a label put in
        # is never searched again.
        self.words = _word_pattern([*self.labels, *self.parts])
        # Most text names nobody: one plain search of the folded text rules it out before the
        # word-boundary pattern runs.
        needles = sorted({w for k in [*self.labels, *self.parts] for w in k.split(" ")}, key=len)
        self.quick = re.compile("|".join(map(re.escape, needles[::-1]))) if needles else None

    def label_of(self, found: str) -> str:
        key = " ".join(found.split())
        return self.labels.get(key) or self.parts.get(key) or self.ambiguous

    def text(self, text: str) -> str:
        folded = fold_case(text)
        if self.quick is None or self.words is None or not self.quick.search(folded):
            return text
        # Where each folded character comes from in `text`; ASCII folds in place.
        sources = None if text.isascii() else _sources(text)
        out: list[str] = []
        last = 0
        for found in self.words.finditer(folded):
            start, end = found.span()
            if sources is not None:
                start, end = sources[start], sources[end - 1] + 1
                while end < len(text) and not _fold_char(text[end]):
                    end += 1  # an accent typed as a mark after the name goes with it
            start = max(start, last)  # two names met inside one character's folded form
            out += (text[last:start], self.label_of(found.group(0)))
            last = max(end, start)
        out.append(text[last:])
        return "".join(out)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.value(v) for v in value)
        return value

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def name(self, name: str) -> str:
        return self.labels.get(_name_key(name)) or self.text(name)


def _sources(text: str) -> list[int]:
    """For each character of `fold_case(text)`, the index of the character it comes from."""
    return [i for i, char in enumerate(text) for _ in range(len(_fold_char(char)))]


def _word_pattern(words: list[str]) -> re.Pattern[str] | None:
    """Folded names as whole words, the longest first; any white space between their parts."""
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)  # the longest name wins
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split(" "))) for w in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def anonymise(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    """The snapshot with every mentee shown as "Mentee A", "Mentee B" ..."""
    labels = mentee_labels(snapshot)
    red = NameRedactor(labels)
    entries = tuple(
        replace(
            e,
            # The candidate may share a surname with a mentee; their own name stays.
            author=e.author if e.author == snapshot.candidate else red.text(e.author),
            data=red.value(e.data),
            mentees=tuple(red.name(m) for m in e.mentees),
            attachments=tuple(
                replace(a, original_name=red.optional(a.original_name)) for a in e.attachments
            ),
        )
        for e in snapshot.entries
    )
    goals = tuple(
        replace(
            g,
            owner=red.name(g.owner),
            statement=red.text(g.statement),
            measure=red.optional(g.measure),
            reviews=tuple(
                replace(r, progress=red.text(r.progress), note=red.optional(r.note))
                for r in g.reviews
            ),
        )
        for g in snapshot.goals
    )
    return replace(
        snapshot,
        entries=entries,
        goals=goals,
        decisions=tuple(replace(d, comment=red.optional(d.comment)) for d in snapshot.decisions),
        confirmations=tuple(replace(c, text=red.optional(c.text)) for c in snapshot.confirmations),
        # The assessment record's free text (issue 10 part B) may name a mentee too.
        sheet_notes=tuple(replace(n, text=red.text(n.text)) for n in snapshot.sheet_notes),
        judgements=tuple(replace(j, comment=red.optional(j.comment)) for j in snapshot.judgements),
        records=tuple(replace(r, text=red.text(r.text)) for r in snapshot.records),
        qa_samples=tuple(replace(q, comment=red.optional(q.comment)) for q in snapshot.qa_samples),
        mentees=tuple(dict.fromkeys(labels.values())),
        anonymised=True,
    )


def one_qualification(snapshot: PortfolioSnapshot, framework_id: str) -> PortfolioSnapshot:
    """The snapshot as one qualification's export sees it: that framework only, its tags,
    decisions, marks and targets. The rules of that framework alone then apply, so an ILM
    export of a portfolio that also follows ST1379 keeps its reflections and names."""
    if snapshot.framework_ids == (framework_id,):
        return snapshot
    prefix = f"{framework_id}:"

    def ours(criterion_id: str) -> bool:
        return criterion_id.startswith(prefix)

    entries = tuple(
        e if all(map(ours, e.tags)) else replace(e, tags=tuple(filter(ours, e.tags)))
        for e in snapshot.entries
    )
    return replace(
        snapshot,
        framework_ids=(framework_id,),
        entries=entries,
        decisions=tuple(d for d in snapshot.decisions if ours(d.criterion_id)),
        marks=tuple(m for m in snapshot.marks if m.framework_id == framework_id),
        targets={k: v for k, v in snapshot.targets.items() if ours(k)},
    )


def apply_rules(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    """The snapshot as an export shows it."""
    if ST1379 not in snapshot.framework_ids:
        return snapshot
    return anonymise(leave_out_reflective(snapshot))


def st1379_pieces(snapshot: PortfolioSnapshot) -> list[EntryRecord]:
    prefix = f"{ST1379}:"
    return [
        e
        for e in snapshot.entries
        if not is_reflective(e)
        and not is_employer_statement(e)
        and any(t.startswith(prefix) for t in e.tags)
    ]


def check_portfolio(snapshot: PortfolioSnapshot, registry: Registry) -> list[RuleCheck]:
    """Every rule of every framework the portfolio follows, checked on what the export shows."""
    return check_view(snapshot, apply_rules(snapshot), registry)


def check_view(
    snapshot: PortfolioSnapshot, view: PortfolioSnapshot, registry: Registry
) -> list[RuleCheck]:
    """`check_portfolio` for a caller that has `view = apply_rules(snapshot)` already."""
    checks: list[RuleCheck] = []
    for framework_id in snapshot.framework_ids:
        framework = registry.get(framework_id)
        if framework is None:
            message = f"framework “{framework_id}” is not loaded: its rules were not checked"
            checks.append(RuleCheck(framework_id, "framework", Status.FAILED, message))
            continue
        checks += _hours_checks(view, framework)
        if framework.id == ST1379:
            checks += _st1379_checks(snapshot, view, framework)
        if framework.id == ECOMENTOR:
            checks += _ecomentor_checks(view, framework)
    return checks


def _hours_checks(view: PortfolioSnapshot, framework: Framework) -> list[RuleCheck]:
    checks = []
    for unit in units_in_use(unit_hours(view, framework), framework):
        logged = (
            f"{format_minutes(unit.minutes)} logged of the {format_hours(unit.min_hours)} minimum"
        )
        if unit.met:
            status, message = Status.PASSED, f"{unit.unit_code}: {logged}"
        elif not unit.logged_met:
            to_go = format_minutes(unit.remaining_minutes)
            status, message = Status.FAILED, f"{unit.unit_code}: only {logged} ({to_go} to go)"
        else:
            status, message = Status.FAILED, f"{unit.unit_code}: {logged}"
        if unit.needs_confirmed:
            # Supervised practice: the minimum needs the supervisor's confirmed hours.
            message += f"; {confirmed_text(unit)}"
        checks.append(RuleCheck(framework.id, f"hours:{unit.unit_code}", status, message))
    return checks


def _st1379_checks(
    original: PortfolioSnapshot, view: PortfolioSnapshot, framework: Framework
) -> list[RuleCheck]:
    def check(rule: str, ok: bool, message: str) -> RuleCheck:
        return RuleCheck(framework.id, rule, Status.PASSED if ok else Status.FAILED, message)

    pieces = st1379_pieces(view)
    low, high = PIECES
    n = len(pieces)
    mentees = {m for e in pieces for m in e.mentees}
    statements = [e.ref for e in view.entries if is_employer_statement(e)]
    left_out = len(original.entries) - len(view.entries)
    checks = [
        check(
            "pieces",
            low <= n <= high,
            f"{n} pieces of evidence (entries tagged to KSBs); "
            f"the plan expects typically {low}-{high}",
        ),
        check(
            "mentees",
            len(mentees) >= MENTEES_NEEDED,
            f"the evidence shows {len(mentees)} mentee(s); it should show the mentoring "
            f"relationship with {MENTEES_NEEDED} mentees",
        ),
        check(
            "statement",
            bool(statements),
            f"employer and apprentice statement: {', '.join(statements)}"
            if statements
            else "no statement from the employer and apprentice confirming the evidence is valid "
            "and attributable (an evidence item of type statement marked as theirs)",
        ),
        _discussion_ksbs(framework, pieces),
        check(
            "reflective",
            True,
            f"{left_out} reflective account(s) or self-assessment(s) left out of the export",
        ),
        check("anonymised", True, "mentees appear as Mentee A, B ... in names and in free text"),
    ]
    attachments = sum(len(e.attachments) for e in view.entries)
    if attachments:
        message = (
            f"{attachments} attachment(s) are exported as recorded: make sure no photo or "
            "document shows a mentee's name"
        )
        checks.append(RuleCheck(framework.id, "attachments", Status.CHECK, message))
    return checks


def _discussion_ksbs(framework: Framework, pieces: Iterable[EntryRecord]) -> RuleCheck:
    """The portfolio "should contain evidence related to the KSBs" assessed by the discussion."""
    methods = framework.extra.get("methods") or []
    title = next((m["title"] for m in methods if m.get("code") == DISCUSSION), None)
    tagged = {t for e in pieces for t in e.tags}
    missing = [c.code for c in framework.criteria if title in c.methods and c.id not in tagged]
    if missing:
        message = f"KSBs of the professional discussion without evidence: {', '.join(missing)}"
        return RuleCheck(framework.id, "discussion_ksbs", Status.FAILED, message)
    message = "every KSB of the professional discussion has evidence"
    return RuleCheck(framework.id, "discussion_ksbs", Status.PASSED, message)


def _ecomentor_checks(view: PortfolioSnapshot, framework: Framework) -> list[RuleCheck]:
    rows = coverage(view, framework)
    gaps = without_evidence(rows)
    total = len(rows)
    if gaps:
        codes = ", ".join(f"{r.criterion.unit_code} {r.criterion.code}" for r in gaps)
        evidence = RuleCheck(
            framework.id,
            "criteria_evidenced",
            Status.FAILED,
            f"{len(gaps)} of {total} criteria without enough evidence: {codes}",
        )
    else:
        message = f"all {total} criteria have evidence"
        evidence = RuleCheck(framework.id, "criteria_evidenced", Status.PASSED, message)
    met = sum(r.assessor_met for r in rows)
    status = Status.PASSED if met == total else Status.CHECK
    message = f"the assessor has met {met} of {total} criteria; every criterion must be met"
    return [
        evidence,
        RuleCheck(framework.id, "criteria_met", status, message),
        _judged_check(view, framework),
    ]


def _judged_check(view: PortfolioSnapshot, framework: Framework) -> RuleCheck:
    """EcoMentor 3.10: evidence used must be valid, authentic, reliable, current, sufficient."""
    found = unjudged_or_lacking(view)
    lacking = {ref: why for ref, why in found.items() if why != "not judged"}
    listed = "; ".join(f"{ref} {why}" for ref, why in found.items())
    if lacking:
        return RuleCheck(framework.id, "evidence_judged", Status.FAILED, f"evidence {listed}")
    if found:
        return RuleCheck(
            framework.id,
            "evidence_judged",
            Status.CHECK,
            f"the assessor has still to judge the evidence on its five qualities: {listed}",
        )
    message = "every evidence item is judged valid, authentic, reliable, current and sufficient"
    return RuleCheck(framework.id, "evidence_judged", Status.PASSED, message)
