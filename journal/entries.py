"""Entry kinds and their fields (DESIGN.md section 3).

`data` of an entry holds the fields of its kind under these keys; the common fields (date,
duration, mentees, tags, attachments) live beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SESSION = "session"
    GOAL = "goal"
    GOAL_REVIEW = "goal_review"
    REFLECTION = "reflection"
    FEEDBACK = "feedback"
    SUPERVISION = "supervision"
    CONTRACT = "contract"
    EVIDENCE = "evidence"
    CPD = "cpd"
    OTJ = "otj"  # an ST1379 apprentice's off-the-job training (hours in duration_minutes)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    optional: bool = True


FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.SESSION: (
        Field("format", "One-to-one or group", optional=False),
        Field("mode", "In person or remote", optional=False),
        Field("plan", "What was planned"),
        Field("summary", "What was covered", optional=False),
        Field("progress", "The mentee's progress"),
        Field("next_steps", "Next steps"),
        Field("reflection", "What I would do differently"),
    ),
    Kind.GOAL: (
        Field("owner", "Whose goal", optional=False),
        Field("statement", "Goal", optional=False),
        Field("measure", "Measure of success"),
        Field("target_date", "Target date"),
        Field("status", "Status", optional=False),
        Field("agreed", "How it was agreed with the supervisor"),
    ),
    Kind.GOAL_REVIEW: (
        Field("goal_ref", "Goal", optional=False),
        Field("progress", "Progress", optional=False),
        Field("note", "Note"),
        Field("status", "Status", optional=False),
    ),
    Kind.REFLECTION: (
        Field("worked", "What worked well"),
        Field("differently", "What I would do differently"),
        Field("learner_progress", "How the learner progressed"),
        Field("impact", "Impact on the learner's performance"),
        Field("model", "Model used to assess the impact"),
        Field("summary", "Overall summary"),
        Field("strengths", "Strengths and weaknesses shown"),
        Field("skills", "Skills still to improve, and how"),
        Field("future", "The process, and using mentoring in future"),
        Field("cpd_plan", "Plan for continuing development"),
        Field("note", "Reflection"),
    ),
    Kind.FEEDBACK: (
        Field("source", "From", optional=False),
        Field("from_name", "Name"),
        Field("about_ref", "About"),
        Field("rating", "Rating (1-5)"),
        Field("text", "Feedback"),
    ),
    Kind.SUPERVISION: (
        Field("discussion", "What was discussed", optional=False),
        Field("actions", "Agreed actions"),
        Field("plan", "Plan agreed for the supervised hours"),
        Field("improvements", "Areas for improvement identified"),
    ),
    Kind.CONTRACT: (
        Field("boundaries", "Boundaries"),
        Field("confidentiality", "Confidentiality"),
        Field("frequency", "Frequency of meetings"),
        Field("activities", "Planned activities"),
        Field("resources", "Resources"),
        Field("timeline", "Timeline"),
        Field("environment", "Safe environment"),
        Field("needs", "Learning needs and styles"),
        Field("goals_agreed", "How the goals were agreed"),
        Field("benefits", "Benefits to learners and the organisation"),
    ),
    Kind.EVIDENCE: (
        Field("caption", "Caption", optional=False),
        Field("evidence_type", "Type of evidence", optional=False),
    ),
    Kind.CPD: (
        Field("activity", "Activity", optional=False),
        Field("learning", "What I learned"),
    ),
    Kind.OTJ: (
        Field("learned", "What was learned", optional=False),
        Field("ksbs", "KSBs it served"),
    ),
}

KIND_LABELS: dict[Kind, str] = {
    Kind.SESSION: "Session",
    Kind.GOAL: "Goal",
    Kind.GOAL_REVIEW: "Goal review",
    Kind.REFLECTION: "Reflection",
    Kind.FEEDBACK: "Feedback",
    Kind.SUPERVISION: "Supervision",
    Kind.CONTRACT: "Contract and plan",
    Kind.EVIDENCE: "Evidence",
    Kind.CPD: "CPD",
    Kind.OTJ: "Off-the-job training",
}

EVIDENCE_TYPES: dict[str, str] = {
    "product": "Product evidence",
    "observation": "Observation record",
    "witness": "Witness testimony",
    "discussion": "Record of professional discussion",
    "statement": "Personal statement",
    "prior": "Prior learning",
}

SESSION_FORMATS = {"one_to_one": "One-to-one", "group": "Group"}
SESSION_MODES = {"in_person": "In person", "remote": "Remote"}
GOAL_STATUSES = {
    "open": "Open",
    "on_track": "On track",
    "achieved": "Achieved",
    "dropped": "Dropped",
}
# A goal still worked on: reviewed, reminded of, offered in /review.
OPEN_GOAL_STATUSES = ("open", "on_track")

# Reflective kinds an ST1379 portfolio must leave out (reflective accounts, self-assessment).
REFLECTIVE_KINDS = frozenset({Kind.REFLECTION})


# Fields chosen from buttons or linking entries: a text edit would break what they mean.
_CHOSEN = frozenset(
    {
        "format",
        "mode",
        "owner",
        "status",
        "source",
        "evidence_type",
        "rating",
        "goal_ref",
        "about_ref",
        "target_date",
    }
)


def editable_fields(kind: Kind) -> tuple[Field, ...]:
    """The free-text fields of a kind, which an edit may change (each edit a new revision)."""
    return tuple(f for f in FIELDS.get(kind, ()) if f.key not in _CHOSEN)


def format_ref(number: int) -> str:
    return f"E-{number:04d}"
