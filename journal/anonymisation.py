"""Mentees shown as "Mentee A", "Mentee B" ... in an export (ST1379, seed 002: the portfolio
is anonymised): the pseudonyms the bot gave them (`mentee_labels`), in every name field and
inside free text (`NameRedactor`), names compared case-folded (`fold_case`)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from journal.entries import Kind
from journal.snapshot import PortfolioSnapshot

AMBIGUOUS = "[mentee]"
_LABEL = re.compile(r"^Mentee [A-Z]+$")


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
