"""The demo's ST1379 apprentice: Priya Shah, a Learning and skills mentor apprentice, mentors Dan
and Eve over the year before her gateway, through the real handlers. Her employer Tom confirms
her weekly off-the-job training; she logs contracts, sessions, supervision, CPD and documents
tagged to the KSBs, picks 12 of them for her EPA portfolio with a line per KSB, records English
and maths, and she and Tom confirm the statement. Tom decides she works at the standard and
confirms the gateway; she then sends the first of the two 30-minute recordings. The second is
left open on purpose (LEFT_OPEN), so that the gap shows in /gateway and the files.

Her year runs from 15 Sep 2025 to the gateway in late September 2026, before Anna's eight
weeks (bot.demo_ilm) begin, so that the demo's one clock only moves forward.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from aiogram.types import Video

from bot.app import Services
from bot.demo_files import pdf
from bot.demo_play import deliver_prompts, tap_inbox, type_codes
from bot.offline import ChatClient, FakeClock, invite_and_join, starts_with

APPRENTICE = "Priya Shah"
PROGRAMME_START = datetime(2025, 9, 15, 9, 0, tzinfo=UTC)
WEEKS = 53
# The plan on the portfolio: dates, planned off-the-job hours, the centre's minimum.
PLAN = ("15 Sep 2025", "18 Dec 2026", "300", "187")
# A week's off-the-job training: (hours, what she learned, KSBs), in turn.
TRAINING = (
    ("6h", "Mentoring models workshop: GROW and the skilled helper", "K4, K13"),
    ("6h", "Questioning and listening practice with the cohort", "K8, S9"),
    ("6h", "Giving feedback that moves learning on", "K9, S10"),
    ("6h", "Data protection for mentoring records", "K5, S5"),
    ("6h", "Assessing a mentee's starting point", "K6, S6"),
    ("6h", "Reading on evidence-based mentoring practice", "K16, S14"),
    ("6h", "Evaluation and reflection models (Gibbs, Kolb)", "K12, S12"),
    ("6h", "Shadowing a senior mentor's review session", "K3, S7"),
    ("6h", "Equality, diversity and inclusion in mentoring", "B4, B2"),
    ("6h", "Supervision: what to bring and how to use it", "K15, S13"),
    ("6h", "Careers advice and guidance for mentees", "K11, S11"),
    ("6h", "Planning my own CPD", "K14, B5"),
    ("6h", "Sustainable practice: mentoring without burning out", "K13, B1"),
)
# Contracts and sessions: (mentee, kind, what it says, KSBs she claims).
SESSIONS = (
    ("Dan", "Roles, boundaries and what mentoring is for", "Agreed roles", "K1, S1"),
    ("Eve", "First meeting: her starting point", "Eve rated her own skills", "K6, S6"),
    ("Dan", "Starting points and goals", "Dan set two goals for the term", "S6, S4"),
    ("Eve", "Action plan review", "Revised the plan after her first month", "K3, S7"),
    ("Dan", "Careers conversation", "Advice on the assessor route", "K11, S11"),
    ("Eve", "A setback at work", "Stayed focused when her project was cut", "B3, K10"),
    ("Dan", "Feedback on his first observed session", "Two strengths, one change", "S10, K9"),
    ("Eve", "Questioning to encourage reflection", "Open questions; she led", "S9, K8"),
    ("Dan", "Mid-year review", "Both goals on track", "S7, K7"),
    ("Eve", "Using a reflection model", "Gibbs cycle on her presentation", "S12, K12"),
    ("Dan", "Respect and inclusion in the team", "Agreed how to raise concerns", "B4, B2"),
    ("Eve", "Closing the year's plan", "Outcomes achieved, next steps agreed", "S3, S8"),
)
# The pieces she picks for the EPA portfolio, by how their /epa buttons begin, and a line per
# KSB on how each shows it: 12 pieces, every KSB of the professional discussion covered.
PIECES = {
    "Reviews of goals": "The contract we agreed and how we kept it",
    "Agreed roles": "Setting out my role, Dan's and the team's at the start",
    "Eve rated her own": "Using her self-rating as the starting point of her plan",
    "Revised the plan": "Reviewing and revising the action plan",
    "Advice on the assessor": "Advice and guidance on a career route he asked about",
    "Stayed focused": "Keeping the plan on track through a setback",
    "Two strengths": "Feedback tied to his next step",
    "Gibbs cycle": "A reflection model used with the mentee",
    "How I use supervision": "What I took to supervision and what I changed after it",
    "Research summary": "A change to my practice from what I read",
    "Records log": "How I record, store and share mentees' information",
    "Mentoring course": "A CPD activity I chose from my own development plan",
}
# The one element left open: the second recording after gateway is still to come.
LEFT_OPEN = "the second 30-minute recording"
RECORDING_MINUTES = 32


async def play_apprentice(
    services: Services, clock: FakeClock, people: dict[str, ChatClient]
) -> None:
    priya, tom = people["Priya"], people["Tom"]
    clock.now = PROGRAMME_START
    await priya.send("/start")
    await priya.click("I agree")
    await priya.send(APPRENTICE)
    await priya.click("London")
    await priya.click("Yes, I'm a mentor")
    await priya.click(starts_with("ST1379"))
    await priya.click("Done")
    await invite_and_join(priya, tom, "Employer")
    for name in ("Dan", "Eve"):
        await invite_and_join(priya, people[name], "Mentee")
    await priya.send("/apprenticeship")
    await priya.click("Set dates and hours")
    for answer in PLAN:
        await priya.send(answer)
    for mentee in ("Dan", "Eve"):
        await _contract(priya, mentee)
    for week in range(WEEKS):
        clock.now = PROGRAMME_START + timedelta(weeks=week, hours=7)
        hours, learned, ksbs = TRAINING[week % len(TRAINING)]
        await priya.send("/otj")
        await priya.click("Today")
        await priya.send(hours)
        await priya.send(learned)
        await priya.send(ksbs)
        clock.now += timedelta(hours=2)
        await deliver_prompts(services, clock, tom)
        await tap_inbox(tom, "Confirm")
        if week % 4 == 2 and week // 4 < len(SESSIONS):
            await _session(services, clock, priya, people, week // 4)
    await _more_evidence(priya)
    for shown in PIECES:
        await _pick(priya, shown)
    await _gateway(services, clock, priya, tom)


async def _more_evidence(priya: ChatClient) -> None:
    """Supervision, CPD and two documents: the discussion's KSBs the sessions do not show."""
    await priya.send("/supervision")
    await priya.click("Today")
    await priya.send("How I use supervision: brought Eve's setback and my own doubts")
    await priya.send("Plan reviews with a clear agenda; ask for observation in spring")
    await type_codes(priya, ["K15", "S13"])
    await priya.send("/cpd")
    await priya.click("Today")
    await priya.send("Mentoring course: a day on coaching conversations, from my plan")
    await priya.click("Skip")
    await priya.click("Skip")
    await type_codes(priya, ["K14", "B5"])
    for title, lines, codes in (
        (
            "Research summary",
            ("Three studies on goal setting", "What I changed: shorter goals"),
            ["K16", "S14"],
        ),
        (
            "Records log",
            ("Where notes are kept", "Who may see them", "How long they are kept"),
            ["S5", "K5"],
        ),
    ):
        name = title.lower().replace(" ", "-") + ".pdf"
        await priya.send_document(pdf(title, lines), name, file_id=f"demo-{name}")
        await priya.click("Evidence")
        await priya.click("Product evidence")
        await priya.click("Today")
        await priya.send(f"{title}: {lines[0].lower()}")
        await type_codes(priya, codes)


async def _pick(priya: ChatClient, shown: str) -> None:
    """Find the piece on the /epa pages, add it, and write its line for each KSB."""
    await priya.send("/epa")

    def wanted(label: str) -> bool:
        return label.startswith("▫️") and label.split(" · ", 2)[-1].startswith(shown)

    while not any(map(wanted, priya.last.buttons())):
        await priya.click("Next ›")
    await priya.click(wanted)
    while asked := re.search(r"how does it show (\S+)\?", priya.last.text):
        await priya.send(f"{PIECES[shown]} ({asked.group(1)})")


async def _gateway(
    services: Services, clock: FakeClock, priya: ChatClient, tom: ChatClient
) -> None:
    clock.now = PROGRAMME_START + timedelta(weeks=WEEKS, days=1, hours=1)
    await priya.send("/gateway")
    await priya.click("Record English and maths")
    await priya.click("English: Level 2")
    await priya.click("Record English and maths")
    await priya.click("Maths: Level 2")
    await priya.send("/statement")
    await priya.click("I confirm")
    await tap_inbox(tom, "I confirm")
    await tom.send("/gateway")
    await tom.click(lambda b: b.endswith("works at or above the standard"))
    await tom.send("/gateway")
    await tom.click("Confirm gateway")
    # Two days later the first recording of a mentoring session: mentor and mentee visible.
    clock.now += timedelta(days=2)
    await priya.send("/recording")
    # A stand-in for the video file: the demo has no camera, only the message's details.
    clip = b"\x00\x00\x00\x18ftypmp42".ljust(64 * 1024, b"v")
    priya.session.files["demo-recording"] = clip
    video = Video(
        file_id="demo-recording",
        file_unique_id="demo-recording",
        width=1280,
        height=720,
        duration=RECORDING_MINUTES * 60,
        file_size=len(clip),
        mime_type="video/mp4",
    )
    await priya.feed(priya.update(message=priya._message(video=video)))
    await priya.click("Today")
    await priya.click("One-to-one")
    await priya.click("Yes, both visible")


async def _contract(priya: ChatClient, mentee: str) -> None:
    await priya.send("/contract")
    await priya.click(mentee)
    await priya.click("Today")
    await priya.send("Work and development only; nothing goes to appraisal without asking.")
    await priya.send("What we discuss stays between us unless someone is at risk.")
    await priya.send("Every four weeks, an hour, for the year.")
    await priya.send("Reviews of goals, shadowing and feedback on observed practice.")
    await priya.send("The apprenticeship standard, the team's induction pack.")
    await priya.send("Twelve months, reviewed every quarter.")
    await type_codes(priya, ["K2", "S2", "K5"])


async def _session(
    services: Services, clock: FakeClock, priya: ChatClient, people: dict[str, ChatClient], n: int
) -> None:
    mentee, plan, summary, ksbs = SESSIONS[n]
    clock.now += timedelta(hours=15)  # the next morning; the prompt goes out by the evening
    await priya.send("/log")
    await priya.click(mentee)
    await priya.click("Today")
    await priya.send("60 min")
    await priya.click("In person")
    await priya.send(plan)
    await priya.send(summary)
    await priya.send("On track against the plan.")
    await priya.click("Skip")
    await priya.click("Skip")
    await type_codes(priya, ksbs.split(", "))
    clock.now += timedelta(hours=8)
    await deliver_prompts(services, clock, people[mentee])
    await tap_inbox(people[mentee], "5")
    await people[mentee].send("Helpful, thank you.")
