"""The forms a person's name takes in text, and finding them (pure functions, no IO).

A name is written in more ways than as recorded: "Jon Baker", "jon" alone, "BAKER", "J. Baker"
or "J Baker", "@jbaker" (their Telegram username), "jon.baker@example.com", "JonBaker.pdf".
`variant_table` lists the word forms (replaced by `journal.anonymisation.NameRedactor`, found
by `NameFinder`); `compact_forms` the run-together ones ("jonbaker", "jbaker"), which only
`NameFinder` looks for: they hide inside other words, so replacing them could break text,
but an export that still holds one is not anonymised.

Names are compared in their `fold_case` forms, defined here so that the anonymisation and the
checks fold alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A name is a word of its own: no letter or digit just before or after. An underscore or a
# hyphen separates ("jon_baker-notes.pdf"), as in file names and usernames.
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"
# Any email address: its local part often is a name, and the address names its owner anyway.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Run-together forms shorter than this match inside too many ordinary words.
COMPACT_MIN = 5

FULL, USERNAME, INITIALS, PART = "full name", "username", "initial and surname", "name"


@dataclass(frozen=True)
class Named:
    """Someone (or a place) an anonymised export must not name, and the label shown instead.

    `whole_only`: only the whole name counts (a site, "Northside Academy": its parts alone
    are ordinary words)."""

    name: str
    label: str
    usernames: tuple[str, ...] = ()
    whole_only: bool = False


@dataclass(frozen=True)
class Variant:
    """One folded form and whose it is (two people may share a part: "Smith")."""

    form: str
    kind: str
    owners: tuple[Named, ...]

    def label(self, ambiguous: str, ambiguous_person: str | None = None) -> str:
        """The owner's label; `ambiguous` for a form two mentees share, `ambiguous_person`
        (when given) for one shared by others (a mentee and a colleague)."""
        labels = {o.label for o in self.owners}
        if len(labels) == 1:
            return next(iter(labels))
        mentees = all(label.startswith("Mentee ") for label in labels)
        return ambiguous if mentees or ambiguous_person is None else ambiguous_person


# Characters people type for one another in names: a phone (iOS smart punctuation) and Word
# turn "O'Brien" into "O’Brien", a modifier letter or a prime stands in for the apostrophe in
# some keyboards and PDFs, and Word makes the hyphen of "O'Brien-Kelly" a dash; invisible
# characters (a soft hyphen, zero-width spaces) split a name without showing. Compared as one
# apostrophe, one hyphen and nothing, so that "O’Brien" is "O'Brien" (text is kept as written).
APOSTROPHES = "\u2019\u2018\u02bc\u2032\u201b\u00b4\u02b9\u02bb\u02bd\uff07"
HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_LOOK_ALIKES = {
    **{ord(c): "'" for c in APOSTROPHES},
    **{ord(c): "-" for c in HYPHENS},
    **{ord(c): "" for c in INVISIBLE},
}


class _Folds(dict[int, str]):
    """A str.translate table folding each character (filled as characters are met)."""

    def __missing__(self, code: int) -> str:
        if code in _LOOK_ALIKES:
            self[code] = _LOOK_ALIKES[code]
            return self[code]
        decomposed = unicodedata.normalize("NFKD", chr(code)).casefold()
        decomposed = unicodedata.normalize("NFKD", decomposed)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ı", "i")
        self[code] = folded
        return folded


_FOLDS = _Folds()


def fold_char(char: str) -> str:
    return _FOLDS[ord(char)]


def fold_case(text: str) -> str:
    """`text` as names are compared: case-folded, compatibility-decomposed, without accents,
    and with the dotless ı as i, so that Işık, IŞIK, ışık and işık, ſam and SAM, Strauß and
    STRAUSS, Zoë and zoe are each one name. Lower-casing alone misses those and could crash.
    Apostrophes and hyphens typed as look-alikes are the plain ones (O’Brien is O'Brien,
    Mary‐Jane is Mary-Jane) and invisible characters are dropped (`_LOOK_ALIKES`)."""
    return text.lower() if text.isascii() else text.translate(_FOLDS)


def name_key(name: str) -> str:
    """A name as found in text: folded, its parts one space apart."""
    return " ".join(fold_case(name).split())


def sources(text: str) -> list[int]:
    """For each character of `fold_case(text)`, the index of the character it comes from."""
    return [i for i, char in enumerate(text) for _ in range(len(fold_char(char)))]


def _usernames(named: Named) -> Iterator[str]:
    for username in named.usernames:
        handle = name_key(username).lstrip("@")
        if handle and " " not in handle:
            yield handle


def _initials(parts: list[str]) -> Iterator[str]:
    """'jon baker' -> 'j. baker', 'j baker', 'j.baker': how a register or a rota writes him."""
    if len(parts) < 2 or not parts[0][:1].isalpha():
        return
    initial, last = parts[0][0], parts[-1]
    yield from (f"{initial}. {last}", f"{initial} {last}", f"{initial}.{last}")


def _parts(named: Named) -> list[str]:
    return [] if named.whole_only else [w for w in name_key(named.name).split() if len(w) > 1]


def variant_table(people: Iterable[Named]) -> dict[str, Variant]:
    """Every word form of every name -> its Variant. A full name wins over a username, an
    initial form or a part of someone else's that reads the same; a form two people share
    is kept with both owners (its label is then the ambiguous one)."""
    people = [p for p in people if name_key(p.name) and p.name != p.label]
    table: dict[str, Variant] = {}
    for kind, forms_of in (
        (FULL, lambda p: [name_key(p.name)]),
        (USERNAME, lambda p: [f for u in _usernames(p) for f in (f"@{u}", u)]),
        (INITIALS, lambda p: [] if p.whole_only else list(_initials(name_key(p.name).split()))),
        (PART, _parts),
    ):
        found: dict[str, list[Named]] = {}
        for person in people:
            for form in forms_of(person):
                if form not in table and person not in found.setdefault(form, []):
                    found[form].append(person)
        for form, owners in found.items():
            table[form] = Variant(form, kind, tuple(owners))
    return table


def compact_forms(people: Iterable[Named]) -> dict[str, Variant]:
    """Run-together forms ('jonbaker', 'bakerjon', 'jbaker'), COMPACT_MIN letters or more."""
    table: dict[str, list[Named]] = {}
    for person in people:
        if person.name == person.label:
            continue
        forms: set[str] = set()
        # With and without the apostrophes and hyphens inside parts: "SiobhanO'Brien.pdf"
        # and "SiobhanOBrien.pdf" are both run together.
        for inside in (r"[^\w]", r"[^\w'\-]"):
            parts = [re.sub(inside, "", p) for p in name_key(person.name).split()]
            parts = [p for p in parts if p]
            if len(parts) < 2:
                continue  # one word run into another is a longer word ("Priya" in "Priyanka")
            forms.add("".join(parts))
            if not person.whole_only:
                forms |= {parts[-1] + parts[0], parts[0][0] + parts[-1], parts[0] + parts[-1]}
        for form in forms:
            if len(form) >= COMPACT_MIN and person not in table.setdefault(form, []):
                table[form].append(person)
    return {form: Variant(form, "run-together", tuple(o)) for form, o in table.items()}


_SEPARATOR = r"[\s_.\-]+"


def _form_pattern(form: str) -> str:
    return _SEPARATOR.join(map(re.escape, form.split(" ")))


def word_pattern(forms: Iterable[str]) -> re.Pattern[str] | None:
    """Folded forms as whole words, the longest first; any white space between their parts."""
    ordered = sorted(set(forms), key=len, reverse=True)  # the longest name wins
    if not ordered:
        return None
    # Between the parts: white space, or the dots, dashes and underscores of file names and
    # addresses ("jon_baker.pdf", "jon.baker").
    alternatives = "|".join(map(_form_pattern, ordered))
    return re.compile(rf"{_BEFORE}(?:{alternatives}){_AFTER}")


def quick_pattern(forms: Iterable[str]) -> re.Pattern[str] | None:
    """One plain search that rules out text naming nobody before the word pattern runs."""
    needles = sorted({w for f in forms for w in f.split(" ")}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, needles))) if needles else None


def variant_of(found: str, table: dict[str, Variant]) -> Variant | None:
    """The variant a match of `word_pattern(table)` is, whatever separated its parts."""
    spaced = " ".join(found.split())
    if spaced in table:
        return table[spaced]
    parts = " ".join(p for p in re.split(r"[\s_\-]+|(?<=[^\W_])\.(?=[^\W_])", found) if p)
    if parts in table:
        return table[parts]
    return next((v for f, v in table.items() if re.fullmatch(_form_pattern(f), found)), None)


@dataclass(frozen=True)
class Hit:
    """A name (or a form of it) found in a text: what was written and whose it is."""

    written: str
    variant: Variant

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.variant.owners)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.label for o in self.variant.owners))


class NameFinder:
    """Finds the names of `people` in text, in every form `variant_table` and `compact_forms`
    list. `capitals_only_for_parts`: a part alone ("Will" of "Will Smith") counts only when
    written with a capital, as names are in documents, so that the verb "will" in a PDF does
    not block an export; free text typed on a phone has no such rule (the redactor's)."""

    def __init__(
        self,
        people: Iterable[Named],
        *,
        capitals_only_for_parts: bool = False,
        keep: Iterable[str] = (),
    ) -> None:
        people = list(people)
        # Names that are no one's to hide (the candidate's own): a mentee sharing their
        # surname is not found inside them.
        self.keep = word_pattern(name_key(k) for k in keep if name_key(k))
        self.table = variant_table(people)
        self.compact = {f: v for f, v in compact_forms(people).items() if f not in self.table}
        self.words = word_pattern(self.table)
        self.runs = re.compile("|".join(map(re.escape, sorted(self.compact, key=len)[::-1])))
        self.quick = quick_pattern([*self.table, *self.compact])
        self.capitals = capitals_only_for_parts

    def __bool__(self) -> bool:
        return bool(self.table)

    def hits(self, text: str) -> list[Hit]:
        folded = fold_case(text)
        if self.quick is None or not self.quick.search(folded):
            return []
        where = None if text.isascii() else sources(text)
        kept = [m.span() for m in self.keep.finditer(folded)] if self.keep else []

        def keeps(match: re.Match[str]) -> bool:
            return any(a <= match.start() and match.end() <= b for a, b in kept)

        found: list[Hit] = []
        for match in self.words.finditer(folded) if self.words else ():
            if keeps(match):
                continue
            variant = variant_of(match.group(0), self.table)
            if variant is None:
                continue
            start = match.start() if where is None else where[match.start()]
            if self.capitals and variant.kind == PART and not text[start].isupper():
                continue
            end = match.end() if where is None else where[match.end() - 1] + 1
            found.append(Hit(text[start:end], variant))
        if self.compact:
            for match in self.runs.finditer(folded):
                if keeps(match):
                    continue
                start = match.start() if where is None else where[match.start()]
                end = match.end() if where is None else where[match.end() - 1] + 1
                found.append(Hit(text[start:end], self.compact[match.group(0)]))
        return found
