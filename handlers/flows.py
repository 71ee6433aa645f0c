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

# The flows the task buttons start ("D3.06 still needs: ..."), one per heading of a task that
# no flow above asks for (journal.tasks.STARTS names them).
SAFE = FlowSpec(
    name="safe",
    kind=Kind.CONTRACT,
    title="safe environment plan",
    steps=(
        _DATE,
        Step(
            "environment",
            K.TEXT,
            "How did you plan and organise a safe environment for mentoring? "
            "(the place, privacy, timing, who to contact if something comes up)",
        ),
    ),
)

NEEDS = FlowSpec(
    name="needs",
    kind=Kind.CONTRACT,
    title="learning needs",
    steps=(
        Step("mentee", K.MENTEE, "Whose learning needs are these?"),
        _DATE,
        Step("needs", K.TEXT, "What are their learning needs, and how do they like to learn?"),
    ),
)

PROGRAMME = FlowSpec(
    name="programme",
    kind=Kind.CONTRACT,
    title="programme outline",
    steps=(
        _DATE,
        Step(
            "activities", K.TEXT, "Outline the programme you developed: its goals and activities."
        ),
        Step(
            "goals_agreed",
            K.TEXT,
            "How did you agree its goals with your mentees and other stakeholders?",
            optional=True,
        ),
        Step("benefits", K.TEXT, "What are the benefits to your mentees and the organisation?"),
    ),
)

SUMMARY = FlowSpec(
    name="summary",
    kind=Kind.REFLECTION,
    title="overall summary",
    steps=(
        _DATE,
        Step(
            "summary",
            K.TEXT,
            "Your overall summary now the programme is complete: how did your mentoring go, "
            "and how did your mentees progress?",
        ),
        Step("strengths", K.TEXT, "Which strengths and weaknesses did you show?", optional=True),
        Step(
            "skills",
            K.TEXT,
            "Which skills still need improving, and how will you improve them?",
            optional=True,
        ),
        Step(
            "future",
            K.TEXT,
            "Looking back on the process: how might you use mentoring or coaching in future?",
            optional=True,
        ),
    ),
)

IMPACT = FlowSpec(
    name="impact",
    kind=Kind.REFLECTION,
    title="impact on performance",
    steps=(
        _DATE,
        Step(
            "model",
            K.TEXT,
            "Which model did you use to assess the impact? (for example Kirkpatrick's four levels)",
            optional=True,
        ),
        Step("impact", K.TEXT, "What impact has mentoring had on your mentees' performance?"),
    ),
)

CPD_PLAN = FlowSpec(
    name="cpdplan",
    kind=Kind.REFLECTION,
    title="development plan",
    steps=(
        _DATE,
        Step(
            "cpd_plan",
            K.TEXT,
            "How will you keep developing as a mentor? Your plan for your practice and "
            "performance.",
        ),
    ),
)

RECORDS = FlowSpec(
    name="records",
    kind=Kind.SUPERVISION,
    title="review of your records",
    steps=(
        _DATE,
        Step(
            "discussion",
            K.TEXT,
            "Which of your mentoring records did you review with your supervisor?",
        ),
        Step("improvements", K.TEXT, "Which areas for improvement did you identify together?"),
    ),
)

DEVPLAN = FlowSpec(
    name="devplan",
    kind=Kind.SUPERVISION,
    title="plan agreed with your supervisor",
    steps=(
        _DATE,
        Step("discussion", K.TEXT, "What did you discuss with your supervisor?"),
        Step(
            "plan",
            K.TEXT,
            "What plan for your supervised mentoring hours did you agree, to reach your "
            "learning goals?",
        ),
    ),
)

LEARNING_GOAL = FlowSpec(
    name="learning_goal",
    kind=Kind.GOAL,
    title="learning goal",
    steps=(
        Step(
            "statement", K.TEXT, "What is your learning goal as a mentor? One sentence is enough."
        ),
        Step("agreed", K.TEXT, "How did you agree it with your supervisor?"),
        Step("measure", K.TEXT, "How will you know it is achieved?", optional=True),
        Step(
            "target_date",
            K.TARGET_DATE,
            "By when?  (type a date: 20 Dec, 31/01)",
            optional=True,
        ),
    ),
)

# An ST1379 apprentice's off-the-job training (/otj): hours in the entry's duration, the KSBs
# typed become its tags (handlers.journal), and the employer is asked to confirm it.
OTJ = FlowSpec(
    name="otj",
    kind=Kind.OTJ,
    title="off-the-job training",
    steps=(
        Step("occurred_on", K.DATE, "When was the training?  (or type: 12 Nov, 12/11, yesterday)"),
        Step("duration", K.DURATION, "How long was it?  (or type: 3h, 1h30, 7h30)"),
        Step("learned", K.TEXT, "What did you learn?"),
        Step(
            "ksbs",
            K.TEXT,
            "Which KSBs did it serve? Type their codes, e.g. K14, S13, B2",
            optional=True,
        ),
    ),
)

FLOWS: dict[str, FlowSpec] = {
    f.name: f
    for f in (
        LOG,
        GOAL,
        REVIEW,
        REFLECT,
        FEEDBACK,
        SUPERVISION,
        CONTRACT,
        CPD,
        EVIDENCE,
        SAFE,
        NEEDS,
        PROGRAMME,
        SUMMARY,
        IMPACT,
        CPD_PLAN,
        RECORDS,
        DEVPLAN,
        LEARNING_GOAL,
        OTJ,
    )
}
