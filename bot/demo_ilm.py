"""The demo's ILM journal: Anna Kowalska mentors Jon and Ola and coaches Kai and Lee for eight
weeks, through the real handlers. Contracts, goals, 25 mentoring and 22 coaching sessions (each
one's hours confirmed by her supervisor Sam), the mentees' answers to their feedback prompts,
reflections, reviews, photo and document evidence, and every ILM task element through the
button /progress offers, except D3.07's plan for continuing development, left open on purpose
so that the gap shows in the chat and the exports.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import Services
from bot.demo_files import pdf, photo
from bot.demo_play import confirm_last_session, deliver_prompts, tap_inbox, type_codes, typed_code
from bot.offline import ChatClient, FakeClock, starts_with
from handlers.callbacks import TaskCB
from journal.frameworks.model import Framework

# The task element left open (journal.tasks): D3.07 "cpd_plan".
LEFT_OPEN = ("D3.07", "cpd_plan")
SESSIONS = [
    (
        "Jon",
        60,
        "Shift handover checklist",
        "Went through the handover checklist twice; "
        "Jon led the second run with two prompts from me.",
    ),
    (
        "Ola",
        45,
        "Site induction",
        "Walked the site induction route; Ola asked good questions about the spill kits.",
    ),
    (
        "Jon",
        60,
        "Waste segregation",
        "Jon explained the waste streams back to me; mixed up two codes, corrected himself.",
    ),
    (
        "Ola",
        75,
        "Energy audit basics",
        "Read meter logs together and spotted the weekend baseload; Ola drafted the summary.",
    ),
    (
        "Jon",
        45,
        "Handover without prompts",
        "Jon ran the whole handover; one prompt needed on the incident log.",
    ),
    (
        "Ola",
        60,
        "Customer call role-play",
        "Role-played a complaint call twice; second run calmer and clearer.",
    ),
    (
        "Jon",
        90,
        "Permit to work",
        "Shadowed a permit-to-work sign-off, then Jon filled one in and I checked it.",
    ),
    (
        "Ola",
        60,
        "Feedback on audit draft",
        "Gave feedback on her audit draft using the two stars and a wish model.",
    ),
    (
        "Jon",
        45,
        "Toolbox talk planning",
        "Planned Jon's first toolbox talk: topic, timing, three key points.",
    ),
    (
        "Ola",
        45,
        "Learning styles",
        "Talked through how she learns best; she prefers doing then reading.",
    ),
    (
        "Jon",
        60,
        "Toolbox talk rehearsal",
        "Jon rehearsed the toolbox talk; we cut it to ten minutes.",
    ),
    (
        "Ola",
        60,
        "Data logger setup",
        "Set up the data logger together; Ola configured the second one alone.",
    ),
    (
        "Jon",
        45,
        "Toolbox talk review",
        "Reviewed the talk he gave: good pace, needs more eye contact.",
    ),
    (
        "Ola",
        90,
        "Site visit debrief",
        "Debriefed the supplier site visit; she led the findings list.",
    ),
    (
        "Jon",
        60,
        "Goal review",
        "Reviewed his goals; handover goal achieved, next is incident reporting.",
    ),
    (
        "Ola",
        45,
        "Report structure",
        "Worked on the report structure; she now uses headings and a summary.",
    ),
    (
        "Jon",
        60,
        "Incident reporting",
        "Went through two past incident reports and what made them useful.",
    ),
    ("Ola", 60, "Presenting findings", "Rehearsed presenting the audit findings to the manager."),
    (
        "Jon",
        45,
        "Near-miss walk",
        "Did a near-miss walk together; Jon logged three items correctly.",
    ),
    (
        "Ola",
        60,
        "Mentoring boundaries",
        "Revisited our contract and boundaries as she takes on a project.",
    ),
    (
        "Jon",
        60,
        "Independent handover",
        "Observed an independent handover from the side; no prompts needed.",
    ),
    (
        "Ola",
        45,
        "Stakeholder map",
        "Drew a stakeholder map for her project and agreed who to contact.",
    ),
    (
        "Jon",
        60,
        "Progress review",
        "Reviewed his progress against the plan and agreed the next steps.",
    ),
    ("Ola", 60, "Project kick-off", "Prepared the kick-off meeting; she will chair it."),
    (
        "Jon",
        45,
        "Closing the programme",
        "Looked back at eight weeks; agreed how he will keep learning.",
    ),
]
FEEDBACK = [
    "Doing it for real was better than reading the checklist.",
    "The role-play helped a lot.",
    "",
    "More time on the practical part next time, please.",
    "Clear and patient, thank you.",
]
REFLECTIONS = [
    (
        "Letting Jon lead the second run worked well.",
        "I talked too much at the start.",
        "Jon now runs handovers with fewer prompts.",
        "Fewer handover errors on his shift.",
    ),
    (
        "Asking Ola to draft first, then reviewing, worked.",
        "Agree the review criteria before she writes.",
        "Ola structures reports on her own now.",
        "Her audit summary went to the manager unchanged.",
    ),
    (
        "Observing without stepping in built Jon's confidence.",
        "Plan observation points in advance.",
        "Jon completed handovers without prompts for two weeks.",
        "His supervisor moved him to the night rota.",
    ),
]

# Coaching: (coachee, minutes, plan, summary), 22 sessions of 90 minutes = 33 h (D3.04 asks 30).
COACHING_TOPICS = [
    ("Goal: chair the stand-up", "GROW: Kai set a goal to chair stand-ups by March."),
    ("Goal: shorter reports", "Lee chose a one-page limit; we listed what to cut."),
    ("Options for the stand-up agenda", "Kai drafted three agendas and picked one."),
    ("Reality check on report length", "Lee's last report was six pages; two are needed."),
    ("First stand-up debrief", "Kai ran it in 14 minutes; wants to cut to 10."),
    ("Structure of a one-page report", "Lee tried headline, evidence, ask; it worked."),
    ("Handling interruptions", "Role-played two interruptions; Kai parked both."),
    ("Feedback from the manager", "Lee's manager read the one-pager in full."),
    ("Timekeeping in meetings", "Kai used a visible timer; finished on time."),
    ("Writing for a busy reader", "Lee rewrote the summary first; clearer ask."),
    ("Mid-point review of goals", "Kai on track; the next step is the monthly review."),
    ("Mid-point review of goals", "Lee on track; wants to present the report too."),
    ("Chairing a difficult topic", "Kai planned how to open the rota discussion."),
    ("Presenting a one-pager", "Lee rehearsed a three-minute talk from her page."),
    ("Rota discussion debrief", "Kai kept it calm; two actions agreed and owned."),
    ("Questions after a presentation", "Lee practised answers to likely questions."),
    ("Delegating actions", "Kai agreed who owns which action and by when."),
    ("Presenting to the board", "Lee presented; the board asked one question only."),
    ("Reviewing stand-up feedback", "Kai's team rated the stand-up 4 of 5."),
    ("Next report cycle", "Lee set herself the same limit for the next cycle."),
    ("Closing the coaching programme", "Kai met his goal; agreed how to keep it up."),
    ("Closing the coaching programme", "Lee met her goal; will coach a colleague next."),
]
COACHING = [
    (("Kai", "Lee")[n % 2], 90, plan, summary) for n, (plan, summary) in enumerate(COACHING_TOPICS)
]
MENTORING_UNITS = ("D3.06", "D3.07")
# Coaching sessions are claimed for the coaching units (journal.hours: a session tagged to a
# coaching unit counts toward D3.03 and D3.04, not toward the mentoring units).
COACHING_UNITS = ("D3.03", "D3.04")
UNITS = COACHING_UNITS + MENTORING_UNITS
# The written assignments (no task elements of their own): each unit's every criterion.
ASSIGNMENTS = (
    ("Work-based assignment: D3.01 and D3.02", ("D3.01", "D3.02")),
    ("Written assignment: D3.05", ("D3.05",)),
)
SUMMARY = (
    "Both mentees met their goals; I listen more than I talk now.",
    "Strength: planning each session against the goal. Weakness: filling silences too soon.",
    "Open questions still need work: I will use a question bank and ask Sam to observe.",
    "Coaching suits short goals like Kai's and Lee's; I will offer it to new starters.",
)


def element_codes(framework: Framework, units: tuple[str, ...], flow: str) -> list[str]:
    """The typed codes of the criteria that the task elements filled by `flow` serve, in the
    tasks of `units`: what a candidate claims for an entry written for those elements."""
    found = [
        criterion
        for task in framework.tasks
        if task.unit in units
        for element in task.elements
        if element.flow == flow and (task.unit, element.code) != LEFT_OPEN
        for criterion in element.criteria
    ]
    return [typed_code(c) for c in dict.fromkeys(found)]


def unit_codes(framework: Framework, units: tuple[str, ...]) -> list[str]:
    return [typed_code(c.id) for u in framework.units if u.code in units for c in u.criteria]


async def _log(
    anna: ChatClient, who: str, minutes: int, plan: str, summary: str, n: int, codes: list[str]
) -> None:
    await anna.send("/log")
    await anna.click(who)
    await anna.click("Today")
    await anna.send(f"{minutes} min")
    await anna.click("In person" if n % 4 else "Remote")
    await anna.send(plan)
    await anna.send(summary)
    await anna.send(
        "Agreed to practise before next time." if n % 2 else "Steady progress on the goal."
    )
    await anna.click("Skip")
    await anna.click("Skip")
    await type_codes(anna, codes)


async def _mentee_answers(services: Services, clock: FakeClock, mentee: ChatClient, n: int) -> None:
    await deliver_prompts(services, clock, mentee)
    await tap_inbox(mentee, str(4 + n % 2))
    line = FEEDBACK[n % len(FEEDBACK)]
    if line:
        await mentee.send(line)
    else:
        await tap_inbox(mentee, "Skip")


async def play_ilm_journal(
    services: Services, clock: FakeClock, people: dict[str, ChatClient], start: datetime
) -> None:
    anna, sam = people["Anna"], people["Sam"]
    ilm = services.registry.get("ilm")
    assert ilm is not None
    mentoring = element_codes(ilm, MENTORING_UNITS, "log") + [
        c for c in unit_codes(ilm, ("D3.06",)) if c.startswith("D3.06 2.")
    ]
    # Session records show the learner's progress: D3.04 2.4, which no task element names.
    coaching = [*element_codes(ilm, COACHING_UNITS, "log"), "D3.04 2.4"]
    for mentee in ("Jon", "Ola"):
        await anna.send("/contract")
        await anna.click(mentee)
        await anna.click("Today")
        await anna.send("Work matters only; no appraisal input without asking first.")
        await anna.send("What we discuss stays between us unless someone is at risk.")
        await anna.send("Weekly, 45-90 minutes, for eight weeks.")
        await anna.send("Shadowing, practice runs, observed tasks and reviews.")
        await anna.send("Site procedures, checklists, the audit template.")
        await anna.send("Eight weeks from today, with a review at week four.")
        await type_codes(anna, element_codes(ilm, UNITS, "contract"))
    for mentee, goal, measure in (
        ("Jon", "Run the shift handover without prompts", "Two handovers in a row with no prompts"),
        (
            "Ola",
            "Write an energy audit summary on her own",
            "A summary the manager accepts unchanged",
        ),
        ("Kai", "Chair the weekly stand-up in ten minutes", "Three stand-ups on time"),
        ("Lee", "Keep reports to one page", "The manager reads the report in full"),
    ):
        await anna.send("/goal")
        await anna.click("A mentee's goal")
        await anna.click(mentee)
        await anna.send(goal)
        await anna.send(measure)
        await anna.send("20 Nov")
        await type_codes(anna, element_codes(ilm, UNITS, "mentee_goal"))
    await anna.send("/goal")
    await anna.click("My own learning goal")
    await anna.send("Ask more open questions and talk less in sessions")
    await anna.send("Supervisor sees it in an observed session")
    await anna.click("Skip")

    for n, (mentee, minutes, plan, summary) in enumerate(SESSIONS):
        clock.now = start + timedelta(days=2 * n + n // 3, hours=1)
        await _log(anna, mentee, minutes, plan, summary, n, mentoring)
        await confirm_last_session(services, clock, anna, sam)
        if n < len(COACHING):
            coachee, minutes, plan, summary = COACHING[n]
            await _log(anna, coachee, minutes, plan, summary, n, coaching)
            await confirm_last_session(services, clock, anna, sam)
        clock.now += timedelta(hours=8)
        await _mentee_answers(services, clock, people[mentee], n)
        if n < len(COACHING):
            await _mentee_answers(services, clock, people[COACHING[n][0]], n + 1)
        if n in (7, 15, 23):
            worked, differently, progressed, impact = REFLECTIONS[n // 8]
            await anna.send("/reflect")
            await anna.click("Today")
            for answer in (worked, differently, progressed, impact):
                await anna.send(answer)
            await type_codes(anna, element_codes(ilm, UNITS, "reflect"))
        if n in (10, 20):
            await anna.send("/review")
            await anna.click(starts_with("Run the shift"))
            await anna.click("Achieved" if n == 20 else "On track")
            await anna.send(
                "No prompts in the last two handovers."
                if n == 20
                else "One handover without prompts."
            )
            await anna.click("Skip")

    await anna.send_photo(
        photo(),
        caption="Signed handover checklist from Jon's independent handover",
        file_id="demo-photo",
    )
    await anna.click("Evidence")
    await anna.click("Product evidence")
    await anna.click("Today")
    plan = pdf(
        "Toolbox talk plan - waste segregation",
        ("Why segregation matters", "The five bins", "What to do with mixed loads"),
    )
    await anna.send_document(plan, "toolbox-talk-plan.pdf", file_id="demo-doc")
    await anna.click("Evidence")
    await anna.click("Product evidence")
    await anna.click("Today")
    await anna.send("Plan for Jon's first toolbox talk")
    for title, units in ASSIGNMENTS:
        sections = tuple(u.title for u in ilm.units if u.code in units)
        name = title.split(":")[0].lower().replace(" ", "-") + ".pdf"
        await anna.send_document(pdf(title, sections), name, file_id=f"demo-{units[0]}")
        await anna.click("Evidence")
        await anna.click("Product evidence")
        await anna.click("Today")
        await anna.send(title)
        await type_codes(anna, unit_codes(ilm, units))
    await _task_elements(anna, ilm)


async def _task_elements(anna: ChatClient, ilm: Framework) -> None:
    """The ILM task elements the log above leaves open, each through the button /progress
    offers; D3.07's plan for continuing development (LEFT_OPEN) is not written."""
    for start, answers in (
        ("needs", ("Kai", "Learns by doing; wants short, practical sessions.")),
        ("safe_environment", ("Site training room booked; door closed; first aider on shift.",)),
        ("impact", ("Kirkpatrick's four levels", "Handover errors on Jon's shifts fell to none.")),
        ("records_review", ("My diary of 47 sessions", "Shorter sessions; ask before telling.")),
        ("development_plan", ("My learning goals", "Two sessions a week with each mentee.")),
        (
            "programme",
            (
                "Eight weeks of shadowing, practice and observed tasks",
                "Agreed with Jon, Ola and the site manager at the start",
                "Safer handovers; audits done in-house",
            ),
        ),
        ("stakeholder_feedback", ("Site manager", "Jon's handovers are complete and on time.")),
        ("supervisor_feedback", ("Sam, supervisor", "Good open questions; less telling.")),
        ("summary", SUMMARY),
    ):
        await anna.press(TaskCB(s=start).pack())
        for answer in answers:
            if "Today" in anna.last.buttons():
                await anna.click("Today")
            if "5" in anna.last.buttons():  # a rating, not asked of them here
                await anna.click("Skip")
            if answer in anna.last.buttons():
                await anna.click(answer)
            else:
                await anna.send(answer)
        while "Skip" in anna.last.buttons() and "Type a code" not in anna.last.buttons():
            await anna.click("Skip")
        # The overall summary says how she will develop (D3.04 4.2, "future").
        extra = ["D3.04 4.2"] if start == "summary" else []
        await type_codes(anna, [*element_codes(ilm, UNITS, start), *extra])
    await anna.press(TaskCB(s="my_goal").pack())
    await anna.send("Use a coaching model in every session")
    await anna.send("Agreed with Sam at supervision")
    await anna.click("Skip")
    await anna.click("Skip")
    await type_codes(anna, element_codes(ilm, UNITS, "my_goal"))
    await anna.send("/supervision")
    await anna.click("Today")
    await anna.send("My twenty hours with Jon and Ola")
    await anna.send("Try the GROW model next term")
    await type_codes(anna, element_codes(ilm, UNITS, "supervision"))
