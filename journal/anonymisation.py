"""Mentees shown as "Mentee A", "Mentee B" ... in an export (ST1379, seed 002: "All evidence
must be anonymised prior to submission"): the pseudonyms the bot gave them (`mentee_labels`),
the names the apprentice added (`/names`: "Colleague A", "Site A"), in every name field and
inside free text (`NameRedactor`) in every form `journal.name_variants` lists (first name
alone, "J. Baker", @username), and every email address; names compared case-folded
(`fold_case`)."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from journal.entries import Kind
from journal.name_variants import (
    EMAIL,
    Named,
    fold_case,
    fold_char,
    name_key,
    quick_pattern,
    sources,
    variant_of,
    variant_table,
    word_pattern,
)
from journal.snapshot import AddedNameRecord, PortfolioSnapshot

__all__ = ["fold_case"]  # compared as journal.name_variants folds, re-exported for callers

AMBIGUOUS = "[mentee]"
AMBIGUOUS_PERSON = "[name]"  # a part two people share, not all of them mentees
EMAIL_LABEL = "[email]"
# What a name the apprentice adds is shown as: its kind and a letter ("Colleague A", "Site B").
# The kind stays because it is what the evidence needs ("Manager A observed the session" is a
# witness statement; "Person A observed" is not), the name goes because it is the person.
# The letter is given once and kept in the row (storage.anonymisation_names), as the bot's
# mentee pseudonyms are: removing one name never renames the others in later exports.
ADDED_KINDS: dict[str, str] = {
    "colleague": "Colleague",
    "manager": "Manager",
    "site": "Site",  # a workplace, school or organisation: only the whole name counts
    "person": "Person",
}
_LABEL = re.compile(r"^Mentee [A-Z]+$")


def mentee_label(index: int) -> str:
    """0 -> 'Mentee A', 25 -> 'Mentee Z', 26 -> 'Mentee AA': a mentee's lasting pseudonym."""
    return f"Mentee {letters(index)}"


def letters(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    found = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        found = chr(ord("A") + rest) + found
    return found


def added_label(kind: str, taken: Iterable[str]) -> str:
    """The first label of `kind` nobody in the portfolio has had ("Colleague C")."""
    word = ADDED_KINDS[kind]
    used = set(taken)
    return next(
        label for label in (f"{word} {letters(i)}" for i in itertools.count()) if label not in used
    )


def mentee_labels(snapshot: PortfolioSnapshot) -> dict[str, str]:
    """Every mentee name in the snapshot -> its label, in a stable order.

    A name with a pseudonym keeps it, a name that is a label already (an erased mentee) stays,
    and the others take the first labels nobody has, in the order of `snapshot.mentees` then
    of first appearance. Names differing only in letter case (as `fold_case` compares them)
    are one mentee.
    """
    names: dict[str, str] = {}
    for name in _mentee_names(snapshot):
        names.setdefault(name_key(name) or name, name)
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


class NameRedactor:
    """Replaces names in text with their labels, in any letter case and common form.

    `labels` maps names to labels (mentees, or anyone `journal.copies` redacts); `people`
    adds more (their usernames, names whose parts are not names: a site). Each full name,
    each part of it ("Jon" of "Jon Baker"), the initial forms ("J. Baker", "J Baker") and
    @username are replaced, so that "jon did well" and "BAKER" go too: notes typed on a phone
    are often lower case. The price is that a name which is also a word (Will, May) turns
    that word into the label as well; a part two people share becomes `ambiguous`. With
    `emails`, every email address becomes that text first (its local part is often a name).
    Text and names are compared in their `fold_case` forms; the replaced spans are mapped
    back to the text as written, and the text around them is kept exactly.
    """

    def __init__(
        self,
        labels: Mapping[str, str] | None = None,
        ambiguous: str = AMBIGUOUS,
        *,
        people: Iterable[Named] = (),
        emails: str | None = None,
    ) -> None:
        self.ambiguous = ambiguous
        self.emails = emails
        # A name that is its own label (an erased mentee's pseudonym) needs no replacing; a
        # name with nothing left once folded (marks only) cannot be found in text.
        people = list(people)
        self.people_too = bool(people)
        named = [Named(n, label) for n, label in (labels or {}).items()] + people
        self.table = variant_table(named)
        self.labels = {
            form: v.label(ambiguous) for form, v in self.table.items() if v.kind == "full name"
        }
        # Full names and their forms in one pattern, longest first, so that a label put in
        # is never searched again.
        self.words = word_pattern(self.table)
        # Most text names nobody: one plain search of the folded text rules it out before the
        # word-boundary pattern runs.
        self.quick = quick_pattern(self.table)

    def label_of(self, found: str) -> str:
        variant = variant_of(found, self.table)
        if variant is None:
            return self.ambiguous
        return variant.label(self.ambiguous, AMBIGUOUS_PERSON if self.people_too else None)

    def text(self, text: str) -> str:
        if self.emails is not None and "@" in text:
            text = EMAIL.sub(self.emails, text)
        folded = fold_case(text)
        if self.quick is None or self.words is None or not self.quick.search(folded):
            return text
        # Where each folded character comes from in `text`; ASCII folds in place.
        where = None if text.isascii() else sources(text)
        out: list[str] = []
        last = 0
        for found in self.words.finditer(folded):
            start, end = found.span()
            if where is not None:
                start, end = where[start], where[end - 1] + 1
                while end < len(text) and not fold_char(text[end]):
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
        return self.labels.get(name_key(name)) or self.text(name)


def people_of(snapshot: PortfolioSnapshot) -> list[Named]:
    """Everyone an anonymised export of `snapshot` must not name, with their labels: the
    mentees (and their usernames) and the names the apprentice added."""
    labels = mentee_labels(snapshot)
    usernames = {name_key(n): u for n, u in snapshot.usernames.items() if u}
    people = [
        Named(name, label, tuple(filter(None, [usernames.get(name_key(name))])))
        for name, label in labels.items()
    ]
    return people + [added_person(a) for a in snapshot.added_names]


def added_person(added: AddedNameRecord) -> Named:
    """An added name as matched: "@jbaker" is a username, a site counts only whole."""
    name = added.name.strip()
    if name.startswith("@") and " " not in name:
        return Named(name, added.label, (name[1:],))
    return Named(name, added.label, whole_only=added.kind == "site")


# Who acted on the portfolio stays named: the assessor, the supervisor or employer who
# confirmed, the quality assurer, the signatories of the statement. Evidence must be
# "valid and attributable" and their sign-off is theirs; the plan anonymises the evidence.
SIGNATORY_FIELDS = frozenset({"assessor", "decision_assessor", "iqa", "supervisor", "person"})
# Codes, ids and file paths: never text a person wrote.
TECHNICAL_FIELDS = frozenset(
    {
        "path",
        "sha256",
        "mime_type",
        "kind",
        "ref",
        "entry_ref",
        "framework_id",
        "framework_ids",
        "criterion_id",
        "tags",
        "auto_tags",
        "fingerprint",
        "party",
        "status",
        "outcome",
        "decision_outcome",
        "role",
        "sheet",
        "field",
        "value",
        "qualities",
        "portfolio_id",
        "candidate",
        "pseudonyms",
        "usernames",
        "added_names",
        "attachment_scans",
        "targets",
        "confirmed_hours_units",
    }
)
_EXPLICIT = frozenset(
    {
        "entries",
        "goals",
        "decisions",
        "confirmations",
        "sheet_notes",
        "judgements",
        "records",
        "qa_samples",
        "mentees",
    }
)


def _redact_record(value: Any, red: NameRedactor) -> Any:
    """Every text of a record the rules below do not know field by field (a statement, a
    selected piece's KSB lines added by another part of the bot), signatories and codes
    kept."""
    if isinstance(value, str):
        return red.text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _redact_record(getattr(value, f.name), red)
            for f in dataclasses.fields(value)
            if f.name not in SIGNATORY_FIELDS | TECHNICAL_FIELDS
        }
        return replace(value, **changes)
    if isinstance(value, dict):
        return {k: _redact_record(v, red) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_record(v, red) for v in value)
    return value


def anonymise(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    """The snapshot with every mentee shown as "Mentee A", "Mentee B" ..., every added name
    as its label, and no email address; the real names it was made from are not kept."""
    labels = mentee_labels(snapshot)
    red = NameRedactor(people=people_of(snapshot), emails=EMAIL_LABEL)
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
    others = {
        f.name: _redact_record(getattr(snapshot, f.name), red)
        for f in dataclasses.fields(snapshot)
        if f.name not in _EXPLICIT | TECHNICAL_FIELDS
        and isinstance(getattr(snapshot, f.name), tuple)
    }
    return replace(
        snapshot,
        **others,
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
        # The real names behind the labels stay out of what the exports read.
        pseudonyms={},
        usernames={},
        added_names=tuple(replace(a, name=a.label) for a in snapshot.added_names),
        anonymised=True,
    )
