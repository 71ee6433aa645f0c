"""Whether an anonymised export still names someone (pure functions, no IO).

- `name_leaks(original, view)`: every text an export of `view` shows (entries, attachment
  names, goals, decisions, confirmations, notes ... every field but codes and signatories),
  searched for the names of `original` in every form (journal.name_variants), run-together
  ones too ("JonBaker.pdf"), which the redactor leaves since they hide inside other words;
- `attachment_hits(pieces, finder)`: the same search over what the exporter read from an
  attached file (exports.attachment_check): metadata fields and text;
- the ST1379 "anonymised" and "attachments" checks built from those.

A check names where a name is and whose label it is, never the name itself: the cover of the
export is read by the assessor. The apprentice is told the name in the chat.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from journal.anonymisation import SIGNATORY_FIELDS, TECHNICAL_FIELDS, people_of
from journal.entries import Kind
from journal.name_variants import Hit, NameFinder, fold_case
from journal.rule_checks import RuleCheck, Status
from journal.snapshot import EntryRecord, PortfolioSnapshot

READ, METADATA = "read", "metadata"  # PortfolioSnapshot.attachment_scans outcomes
_LISTED = 6  # places named in a check message; the rest are counted
# The centre that assesses is named on purpose; entries are searched field by field.
_NOT_EVIDENCE = frozenset({"entries", "centre_name", "centre_number", "learner_registration"})


@dataclass(frozen=True)
class Leak:
    """A name (in some form) found in one text of the export."""

    where: str  # "E-0012 attachment name", "goal E-0090 measure"
    hit: Hit


def _words(name: str) -> str:
    return name.replace("_", " ")


def _record_name(value: Any) -> str:
    """DecisionRecord -> 'decision', QaSampleRecord -> 'qa sample'."""
    name = type(value).__name__.removesuffix("Record")
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()


def export_texts(view: PortfolioSnapshot) -> Iterator[tuple[str, str]]:
    """(where, text) for every text an export of `view` can show."""
    for entry in view.entries:
        yield from _entry_texts(entry, view.candidate)
    for f in dataclasses.fields(view):
        value = getattr(view, f.name)
        if f.name in TECHNICAL_FIELDS | _NOT_EVIDENCE:
            continue
        if isinstance(value, str):
            yield _words(f.name), value
        elif isinstance(value, tuple):
            for item in value:
                yield from _texts(item, _place(item, _words(f.name)))


def _place(item: Any, default: str) -> str:
    if isinstance(item, str):
        return default
    ref = getattr(item, "ref", None) or getattr(item, "entry_ref", None)
    criterion = getattr(item, "criterion_id", None)
    name = _record_name(item)
    if ref:
        return f"{ref} {name}"
    return f"{name} on {criterion}" if criterion else name


def _entry_texts(entry: EntryRecord, candidate: str) -> Iterator[tuple[str, str]]:
    if entry.author != candidate:
        yield f"{entry.ref} author", entry.author
    for key, value in entry.data.items():
        yield from _texts(value, f"{entry.ref} {_words(key)}")
    for mentee in entry.mentees:
        yield f"{entry.ref} mentees", mentee
    for attachment in entry.attachments:
        if attachment.original_name:
            yield f"{entry.ref} attachment name", attachment.original_name


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in TECHNICAL_FIELDS | SIGNATORY_FIELDS:
                yield from _texts(getattr(value, f.name), f"{where} {_words(f.name)}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{where} {_words(str(key))}")
    elif isinstance(value, list | tuple):
        for item in value:
            dataclass = dataclasses.is_dataclass(item) and not isinstance(item, type)
            yield from _texts(item, _place(item, where) if dataclass else where)


def exported(original: PortfolioSnapshot, view: PortfolioSnapshot) -> PortfolioSnapshot:
    """`view` with the entries its export holds: with an EPA selection, the selected pieces and
    the statement (journal.epa_selection.gateway_view) and the off-the-job training of its own
    sheet; without one, every entry. An entry left out of the export cannot name anyone in it."""
    # Imported here: journal.epa_selection builds on journal.st1379_rules, which uses this.
    from journal.epa_selection import gateway_view

    shown = gateway_view(original, view)
    if shown is view:
        return view
    refs = {e.ref for e in shown.entries} | {e.ref for e in view.entries if e.kind == Kind.OTJ}
    return replace(shown, entries=tuple(e for e in view.entries if e.ref in refs))


def name_leaks(original: PortfolioSnapshot, view: PortfolioSnapshot) -> list[Leak]:
    """Every name of `original`'s people still in what an export of `view` shows."""
    finder = NameFinder(people_of(original), keep=[original.candidate])
    if not finder:
        return []
    return [Leak(where, hit) for where, text in export_texts(view) for hit in finder.hits(text)]


def attachment_hits(pieces: Iterable[tuple[str, str]], finder: NameFinder) -> list[Leak]:
    """The names in what was read from one file: (where in the file, text) pieces."""
    return [Leak(where, hit) for where, text in pieces for hit in finder.hits(text)]


def document_finder(snapshot: PortfolioSnapshot) -> NameFinder:
    """The names an attached file of `snapshot` must not hold; a part alone ("Will") only
    with a capital, as documents write names (a lower-case "will" is the verb)."""
    return NameFinder(people_of(snapshot), capitals_only_for_parts=True, keep=[snapshot.candidate])


def _listed(items: list[str]) -> str:
    shown = list(dict.fromkeys(items))
    more = len(shown) - _LISTED
    text = "; ".join(shown[:_LISTED])
    return f"{text}; and {more} more" if more > 0 else text


def anonymised_check(
    original: PortfolioSnapshot, view: PortfolioSnapshot, framework_id: str
) -> RuleCheck:
    leaks = name_leaks(original, exported(original, view))
    if leaks:
        places = [
            f"{leak.where} ({', '.join(leak.hit.labels)}, {leak.hit.variant.kind})"
            for leak in leaks
        ]
        message = (
            f"a name is still in {len(leaks)} place(s): {_listed(places)}; "
            "remove or rename it there before the portfolio is submitted"
        )
        return RuleCheck(framework_id, "anonymised", Status.FAILED, message)
    added = len(original.added_names)
    also = f" and {added} name(s) added for anonymisation appear by their labels" if added else ""
    message = (
        f"mentees appear as Mentee A, B ...{also}, in names and in free text; no name, "
        "first name, initial form, username or email address of theirs is left"
    )
    return RuleCheck(framework_id, "anonymised", Status.PASSED, message)


def attachments_check(
    original: PortfolioSnapshot, view: PortfolioSnapshot, framework_id: str
) -> RuleCheck | None:
    """What reading the attachments found (the exporter refuses a file that names someone,
    so a built export holds none); what the software cannot read is for a person to look at."""
    view = exported(original, view)
    attachments = [a for e in view.entries for a in e.attachments]
    if not attachments:
        return None
    scans = view.attachment_scans
    if scans is None:
        message = (
            f"{len(attachments)} attachment(s) were not read for names in this export: "
            "export from the bot (or mentorlog export) to have them checked"
        )
        return RuleCheck(framework_id, "attachments", Status.CHECK, message)
    outcomes = [scans.get(a.sha256) for a in attachments]
    read = outcomes.count(READ)
    pictures = outcomes.count(METADATA)
    unread = len(outcomes) - read - pictures
    parts = [f"{read} attachment(s) read (metadata and text): no name found"] if read else []
    if pictures:
        parts.append(
            f"{pictures} picture(s) or scan(s): no name in their metadata; what they show "
            "cannot be read here, so look at each for a name"
        )
    if unread:
        parts.append(f"{unread} file(s) of a kind that cannot be read here (look at them)")
    status = Status.PASSED if read == len(outcomes) else Status.CHECK
    return RuleCheck(framework_id, "attachments", status, "; ".join(parts))


@dataclass(frozen=True)
class FileProblem:
    """An attachment an anonymised export cannot carry: the names found in it (in the chat
    the apprentice is told them; they know them), or why it could not be read."""

    entry_ref: str
    sha256: str
    file: str  # as the apprentice knows it: its original name, or "a picture of E-0012"
    found: tuple[str, ...] = ()  # "“Jon Baker” (PDF metadata Author)"
    problem: str | None = None  # could not be read: why
    # Everything found is metadata that can be stripped here (exports.attachment_check).
    cleanable: bool = False
    # The names its file name holds as written ("JonBaker" of "JonBaker.pdf"): the export's
    # texts name it too, and removing the file is the fix (it is said once, with the file).
    in_name: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileReading:
    """What the exporter read from one attachment (exports.attachment_check.Reading)."""

    outcome: str
    pieces: tuple[tuple[str, str], ...] = ()
    problem: str | None = None
    located: bool = False
    kind: str = ""


_PLACES = 3  # places named for one name in one file; the rest are counted


def _grouped(leaks: list[Leak]) -> list[str]:
    """'“Jon Baker” (page 1 text; page 4 text; page 9 text and 12 more)': each name once."""
    places: dict[str, tuple[str, list[str]]] = {}
    for leak in leaks:
        written, where = places.setdefault(fold_case(leak.hit.written), (leak.hit.written, []))
        if leak.where not in where:
            where.append(leak.where)
    found = []
    for written, where in places.values():
        more = f" and {len(where) - _PLACES} more" if len(where) > _PLACES else ""
        found.append(f"“{written}” ({'; '.join(where[:_PLACES])}{more})")
    return found


def _cleanable(reading: FileReading, leaks: list[Leak]) -> bool:
    """A picture holds names in its metadata only (its pixels are not read); a PDF may hold
    them in its document information and XMP, which can go, or in its text, which cannot."""
    if reading.kind.endswith("picture"):
        return True
    return reading.kind == "PDF" and all(leak.where.startswith("PDF ") for leak in leaks)


def file_problems(
    snapshot: PortfolioSnapshot, view: PortfolioSnapshot, readings: dict[str, FileReading]
) -> list[FileProblem]:
    """Each attachment of `view` whose reading (by sha256) names someone of `snapshot`, records
    where it was taken, or could not be read. Metadata alone can be stripped (`cleanable`);
    a name in the text of a document cannot: the file has to be removed or replaced. A file
    whose name (as the export shows it) still names someone is one too: "JonBaker.pdf"."""
    finder = document_finder(snapshot)
    # The file's name is searched as name_leaks searches the export's texts.
    names = NameFinder(people_of(snapshot), keep=[snapshot.candidate])
    problems = []
    for entry in view.entries:
        originals = {
            a.sha256: a for e in snapshot.entries if e.ref == entry.ref for a in e.attachments
        }
        for attachment in entry.attachments:
            reading = readings.get(attachment.sha256)
            original = originals.get(attachment.sha256, attachment)
            file = original.original_name or f"the {attachment.kind} of {entry.ref}"
            in_name = tuple(
                dict.fromkeys(h.written for h in names.hits(attachment.original_name or ""))
            )
            if reading is None:  # not read (not in what the export holds): its name still is
                if in_name:
                    found = tuple(f"“{written}” (its file name)" for written in in_name)
                    problems.append(
                        FileProblem(entry.ref, attachment.sha256, file, found, in_name=in_name)
                    )
                continue
            if reading.problem is not None:  # its name, if it names someone, stays in texts
                problems.append(
                    FileProblem(entry.ref, attachment.sha256, file, problem=reading.problem)
                )
                continue
            leaks = attachment_hits(reading.pieces, finder)
            found = [f"“{written}” (its file name)" for written in in_name] + _grouped(leaks)
            if reading.located:
                found.append("a GPS position (EXIF: where the picture was taken)")
            if found:
                problems.append(
                    FileProblem(
                        entry.ref,
                        attachment.sha256,
                        file,
                        tuple(dict.fromkeys(found)),
                        # Cleaning the metadata leaves the file's name as it is.
                        cleanable=_cleanable(reading, leaks) and not in_name,
                        in_name=in_name,
                    )
                )
    return problems


class NamesFound(LookupError):
    """An anonymised export refused (ST1379: "All evidence must be anonymised prior to
    submission"): attachments that name someone, record where they were taken or cannot be
    read (`files`), or texts in which a name survives (`texts`: where, and the name). The
    message lists them for the command line; the chat says the same with buttons."""

    def __init__(self, files: tuple[FileProblem, ...], texts: tuple[tuple[str, str], ...]) -> None:
        self.files = files
        # A file's name found among the texts is said with the file (which has the button).
        said = {(f"{p.entry_ref} attachment name", n) for p in files for n in p.in_name}
        self.texts = tuple(text for text in texts if text not in said)
        texts = self.texts
        lines = ["The export is held back: it would still name someone."]
        for problem in files:
            why = problem.problem or ", ".join(problem.found)
            lines.append(f"{problem.entry_ref} {problem.file}: {why}")
        lines += [f"{where}: “{name}”" for where, name in texts]
        super().__init__("\n".join(lines))
