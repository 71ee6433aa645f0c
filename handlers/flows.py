"""The guided flows of the journal: /log, /goal, goal reviews, /reflect, /feedback ..."""

from __future__ import annotations

from journal.entries import EVIDENCE_TYPES, SESSION_MODES, Kind
from journal.flow import FlowSpec, Step
from journal.flow import StepKind as K

_DATE = Step("occurred_on", K.DATE, "When was it?  (or type: 12 Nov, 12/11, yesterday)")

LOG = FlowSpec(
    name="log",
    kind=Kind.SESSION,
    title="session",
    steps=(
        Step("mentees", K.MENTEES, "Who was the session with?  (or type their names)"),
        Step("occurred_on", K.DATE, "When?  (or type: 12 Nov, 12/11, yesterday)"),
        Step("duration", K.DURATION, "How long?  (or type: 45, 1h30, 1:30, 90 min)"),
        Step("mode", K.CHOICE, "In person or remote?", options=tuple(SESSION_MODES.items())),
        Step("plan", K.TEXT, "What did you plan to cover?", optional=True),
        Step("summary", K.TEXT, "What did you actually cover, and how did {mentee} do?"),
        Step("progress", K.TEXT, "How is {mentee} progressing towards their goals?", optional=True),
        Step("next_steps", K.TEXT, "What are the next steps?", optional=True),
        Step("reflection", K.TEXT, "Anything you would do differently? (optional)", optional=True),
    ),
)

GOAL = FlowSpec(
    name="goal",
    kind=Kind.GOAL,
    title="goal",
    steps=(
        Step(
            "owner",
            K.CHOICE,
            "Whose goal is it?",
            options=(("mentee", "A mentee's goal"), ("mentor", "My own learning goal")),
        ),
        Step("mentee", K.MENTEE, "Which mentee?", when=("owner", ("mentee",))),
        Step("statement", K.TEXT, "What is the goal? One sentence is enough."),
        Step("measure", K.TEXT, "How will you know it is achieved?", optional=True),
        Step(
            "target_date",
            K.TARGET_DATE,
            "By when?  (type a date: 20 Dec, 31/01)",
            optional=True,
        ),
    ),
)

REVIEW = FlowSpec(
    name="review",
    kind=Kind.GOAL_REVIEW,
    title="goal review",
    steps=(
        Step("goal", K.GOAL, "Which goal are you reviewing?"),
        Step(
            "status",
            K.CHOICE,
            "How is it going?",
            options=(
                ("open", "Not started yet"),
                ("on_track", "On track"),
                ("achieved", "Achieved"),
                ("dropped", "Dropped"),
            ),
        ),
        Step("progress", K.TEXT, "What progress has been made?"),
        Step("note", K.TEXT, "Anything to note for next time?", optional=True),
    ),
)

REFLECT = FlowSpec(
    name="reflect",
    kind=Kind.REFLECTION,
    title="reflection",
    steps=(
        _DATE,
        Step("worked", K.TEXT, "What worked well?", optional=True),
        Step("differently", K.TEXT, "What would you do differently or better?", optional=True),
        Step(
            "learner_progress",
            K.TEXT,
            "How did the learner progress towards their development goals?",
            optional=True,
        ),
        Step(
            "impact",
            K.TEXT,
            "What impact has mentoring had on the learner's performance?",
            optional=True,
        ),
    ),
    needs_one_of=("worked", "differently", "learner_progress", "impact", "note"),
)

FEEDBACK = FlowSpec(
    name="feedback",
    kind=Kind.FEEDBACK,
    title="feedback",
    steps=(
        Step(
            "source",
            K.CHOICE,
            "Who gave the feedback?",
            options=(
                ("mentee", "A mentee"),
                ("supervisor", "My supervisor"),
                ("other", "Someone else"),
            ),
        ),
        Step("mentee", K.MENTEE, "Which mentee?", when=("source", ("mentee",))),
        Step("from_name", K.TEXT, "Their name and role?", when=("source", ("supervisor", "other"))),
        _DATE,
        Step("rating", K.RATING, "Did they give a rating from 1 to 5?", optional=True),
        Step("text", K.TEXT, "What did they say?"),
    ),
)

SUPERVISION = FlowSpec(
    name="supervision",
    kind=Kind.SUPERVISION,
    title="supervision",
    steps=(
        _DATE,
        Step("discussion", K.TEXT, "What did you discuss with your supervisor?"),
        Step("actions", K.TEXT, "What actions did you agree?", optional=True),
    ),
)

CONTRACT = FlowSpec(
    name="contract",
    kind=Kind.CONTRACT,
    title="contract and plan",
    steps=(
        Step("mentee", K.MENTEE, "Which mentee is the contract with?"),
        _DATE,
        Step("boundaries", K.TEXT, "What boundaries did you agree?", optional=True),
        Step("confidentiality", K.TEXT, "What did you agree about confidentiality?", optional=True),
        Step("frequency", K.TEXT, "How often will you meet, and for how long?", optional=True),
        Step("activities", K.TEXT, "Which activities does the plan include?", optional=True),
        Step("resources", K.TEXT, "Which resources will you use?", optional=True),
        Step("timeline", K.TEXT, "What is the timeline?", optional=True),
    ),
    needs_one_of=(
        "boundaries",
        "confidentiality",
        "frequency",
        "activities",
        "resources",
        "timeline",
    ),
)

CPD = FlowSpec(
    name="cpd",
    kind=Kind.CPD,
    title="CPD activity",
    steps=(
        _DATE,
        Step("activity", K.TEXT, "What was the development activity?"),
        Step("duration", K.DURATION, "How long did it take?", optional=True),
        Step("learning", K.TEXT, "What did you learn, and how will you use it?", optional=True),
    ),
)

EVIDENCE = FlowSpec(
    name="evidence",
    kind=Kind.EVIDENCE,
    title="evidence",
    steps=(
        Step(
            "evidence_type",
            K.CHOICE,
            "What kind of evidence is it?",
            options=tuple(EVIDENCE_TYPES.items()),
        ),
        _DATE,
        Step("caption", K.TEXT, "Add a short caption: what does it show?"),
    ),
)

FLOWS: dict[str, FlowSpec] = {
    f.name: f for f in (LOG, GOAL, REVIEW, REFLECT, FEEDBACK, SUPERVISION, CONTRACT, CPD, EVIDENCE)
}
