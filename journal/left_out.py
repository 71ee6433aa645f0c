"""What an ST1379 portfolio leaves out: "The portfolio should not include reflective accounts or
any methods of self-assessment" (seed 002). Pure functions over entries.

A reflective account is an entry of `REFLECTIVE_KINDS`; a personal statement is evidence of type
"statement" that is not the employer and apprentice statement; a self-assessment can also come
as a CPD entry ("Self-assessment against the KSBs") or as evidence whose caption says it is one.
Words are the only sign of those two: the patterns below are what people call them, and "mentor
and mentee reflective logs", which the plan accepts as evidence, are not among them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from journal.entries import REFLECTIVE_KINDS, Kind
from journal.snapshot import EntryRecord

STATEMENT_OF = "statement_of"
EMPLOYER_APPRENTICE = "employer_apprentice"

_SELF_ASSESSMENT = re.compile(
    r"\bself[-\s]?(?:assess|evaluat|apprais|rat(?:ed|ing))"
    r"|\brat(?:e|ed|ing)\s+myself\b"
    r"|\bassess(?:ed|ing)?\s+myself\b"
    r"|\bmy\s+own\s+assessment\b"
    r"|\bskills?\s+(?:audit|scan|self)"
    r"|\breflective\s+account"
    r"|\bpersonal\s+statement",
    re.IGNORECASE,
)
# The fields whose words say what an entry is (not what happened in it).
_WHAT_IT_IS = {Kind.CPD: ("activity", "learning"), Kind.EVIDENCE: ("caption",)}

REFLECTIVE_ACCOUNT = "reflective account"
PERSONAL_STATEMENT = "personal statement"
SELF_ASSESSMENT = "self-assessment"


def is_employer_statement(entry: EntryRecord) -> bool:
    return (
        entry.kind == Kind.EVIDENCE
        and entry.data.get("evidence_type") == "statement"
        and entry.data.get(STATEMENT_OF) == EMPLOYER_APPRENTICE
    )


def why_left_out(entry: EntryRecord) -> str | None:
    """'reflective account', 'personal statement', 'CPD self-assessment' ... or None."""
    if entry.kind in REFLECTIVE_KINDS:
        return REFLECTIVE_ACCOUNT
    if is_employer_statement(entry):
        return None
    if entry.kind == Kind.EVIDENCE and entry.data.get("evidence_type") == "statement":
        return PERSONAL_STATEMENT
    fields = _WHAT_IT_IS.get(entry.kind, ())  # a Kind is its string value
    words = " ".join(str(entry.data.get(f) or "") for f in fields)
    found = _SELF_ASSESSMENT.search(words)
    if found is None:
        return None
    said = found.group(0).casefold()
    what = (
        REFLECTIVE_ACCOUNT
        if "reflective" in said
        else PERSONAL_STATEMENT
        if "statement" in said
        else SELF_ASSESSMENT
    )
    return f"CPD {what}" if entry.kind == Kind.CPD else what


def reflective_check(
    original: Iterable[EntryRecord], view: Iterable[EntryRecord]
) -> tuple[bool, str]:
    """(passed, message) of the ST1379 "reflective" check: what was left out of the export,
    and anything reflective that would still reach it (which fails)."""
    view = list(view)
    kept = {e.ref for e in view}
    left = [f"{e.ref} {why}" for e in original if e.ref not in kept and (why := why_left_out(e))]
    sessions = sum(
        1 for e in original if e.kind == Kind.SESSION and e.ref in kept and e.data.get("reflection")
    )
    reaching = [f"{e.ref} {why}" for e in view if (why := why_left_out(e))]
    reaching += [
        f"{e.ref} 'What I would do differently'"
        for e in view
        if e.kind == Kind.SESSION and e.data.get("reflection")
    ]
    message = f"{len(left)} reflective account(s) or self-assessment(s) left out of the export"
    if left:
        message += ": " + ", ".join(left)
    if sessions:
        message += f"; the field 'What I would do differently' of {sessions} session(s) left out"
    if reaching:
        message = f"would reach the export: {', '.join(reaching)}; " + message
    return not reaching, message
