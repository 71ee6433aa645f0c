"""`mentorlog demo`: a realistic mentor played through the real handlers, offline.

Anna, working towards the ILM Level 3 Certificate in Workplace Coaching & Mentoring and the
EcoMentor qualification, mentors Jon and Ola for eight weeks: contracts, goals and reviews,
about 25 sessions, reflections, the mentees' answers to their feedback prompts, a supervisor's
confirmation of hours, photo and document evidence and an assessor's decisions and marks. Every
step is a real Telegram update through the real Dispatcher, middlewares and handlers, over a
fresh SQLite database; no token and no network. Then the three exports of each qualification
are written.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiogram.methods import SendMessage
from aiogram.types import User
from fpdf import FPDF

from bot.app import Services, build_dispatcher, build_services
from bot.demo_assessment import play_assessment_record
from bot.exporting import Format
from bot.offline import (
    ChatClient,
    FakeClock,
    invite_and_join,
    offline_bot,
    starts_with,
)
from bot.prompter import Limiter, run_due_prompts
from bot.settings import Settings
from handlers.callbacks import TaskCB
from storage.migrate import upgrade_async

START = datetime(2026, 9, 28, 8, 0, tzinfo=UTC)
CANDIDATE = "Anna Kowalska"
DEMO_QUALIFICATIONS = ("ilm", "ecomentor")
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


def _inbox(client: ChatClient) -> SendMessage:
    """The newest message the bot sent to this person (prompts arrive outside their updates)."""
    for call in reversed(client.session.calls):
        if isinstance(call, SendMessage) and call.chat_id == client.user.id and call.reply_markup:
            return call
    raise LookupError(f"nothing with buttons for {client.user.first_name}")


async def _tap_inbox(client: ChatClient, label: str) -> None:
    message = _inbox(client)
    for row in message.reply_markup.inline_keyboard:  # type: ignore[union-attr]
        for button in row:
            if button.text == label:
                await client.press(button.callback_data or "")
                return
    raise LookupError(f"no button {label!r} for {client.user.first_name}")


async def _deliver_prompts(services: Services, clock: FakeClock, client: ChatClient) -> None:
    await run_due_prompts(
        client.bot, services.sessions, clock(), worker_id="demo", limiter=Limiter()
    )


def _photo() -> bytes:
    """A small real PNG: a green square, as if a photo of a signed checklist."""
    import struct
    import zlib

    width = height = 64
    raw = b"".join(b"\x00" + b"\x30\xa0\x50" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _document() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(0, 10, "Toolbox talk plan - waste segregation", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in (
        "1. Why segregation matters",
        "2. The five bins",
        "3. What to do with mixed loads",
    ):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()


def _fresh_folder(out: Path) -> Path:
    """DIR/demo-data, emptied: the demo always starts from a new database."""
    out.mkdir(parents=True, exist_ok=True)
    work = out / "demo-data"
    shutil.rmtree(work, ignore_errors=True)
    return work


async def run_demo(out: Path) -> list[Path]:
    work = await asyncio.to_thread(_fresh_folder, out)
    database = f"sqlite:///{work / 'mentorlog.db'}"
    await upgrade_async(database)
    settings = Settings(
        _env_file=None,
        bot_token=None,
        database_url=database,
        files_dir=work / "files",
        frameworks_dir=work / "frameworks",
        exports_dir=work / "exports",
        # The demo signs with a key of its own, never with the centre's.
        signing_key_file=work / "signing_key.pem",
    )
    clock = FakeClock(START)
    services = build_services(settings, clock=clock)
    try:
        return await _play(services, clock, out)
    finally:
        await services.engine.dispose()


async def _play(services: Services, clock: FakeClock, out: Path) -> list[Path]:
    dp, bot = build_dispatcher(services), offline_bot()
    people = {
        name: ChatClient(
            dp=dp, bot=bot, user=User(id=uid, is_bot=False, first_name=name, language_code="en")
        )
        for uid, name in ((501, "Anna"), (502, "Jon"), (503, "Ola"), (504, "Sam"), (505, "Ada"))
    }
    anna = people["Anna"]
    # Anna types her full name (the exports name the candidate by it) instead of "Anna".
    await anna.send("/start")
    await anna.click("I agree")
    await anna.send(CANDIDATE)
    await anna.click("London")
    await anna.click("Yes, I'm a mentor")
    for prefix in ("ILM", "EcoMentor"):
        await anna.click(starts_with(prefix))
    await anna.click("Done")
    await invite_and_join(anna, people["Jon"], "Mentee")
    await invite_and_join(anna, people["Ola"], "Mentee")
    await invite_and_join(anna, people["Sam"], "Supervisor")
    await invite_and_join(anna, people["Ada"], "Assessor")

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
        await anna.click(starts_with("D3.06 1.2"))
    for mentee, goal, measure in (
        ("Jon", "Run the shift handover without prompts", "Two handovers in a row with no prompts"),
        (
            "Ola",
            "Write an energy audit summary on her own",
            "A summary the manager accepts unchanged",
        ),
    ):
        await anna.send("/goal")
        await anna.click("A mentee's goal")
        await anna.click(mentee)
        await anna.send(goal)
        await anna.send(measure)
        await anna.send("20 Nov")
    await anna.send("/goal")
    await anna.click("My own learning goal")
    await anna.send("Ask more open questions and talk less in sessions")
    await anna.send("Supervisor sees it in an observed session")
    await anna.click("Skip")

    for n, (mentee, minutes, plan, summary) in enumerate(SESSIONS):
        clock.now = START + timedelta(days=2 * n + n // 3, hours=1)
        await anna.send("/log")
        await anna.click(mentee)
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
        # Anna logs mentoring, so she confirms mentoring and EcoMentor criteria, not coaching ones.
        suggested = [
            b for b in anna.last.buttons() if " " in b and not b.startswith(("✓", "D3.03", "D3.04"))
        ]
        for label in suggested[:3]:
            await anna.click(label)
        clock.now += timedelta(hours=8)
        await _deliver_prompts(services, clock, people[mentee])
        await _tap_inbox(people[mentee], str(4 + n % 2))
        line = FEEDBACK[n % len(FEEDBACK)]
        if line:
            await people[mentee].send(line)
        else:
            await _tap_inbox(people[mentee], "Skip")
        if n in (7, 15, 23):
            worked, differently, progressed, impact = REFLECTIONS[n // 8]
            await anna.send("/reflect")
            await anna.click("Today")
            for answer in (worked, differently, progressed, impact):
                await anna.send(answer)
            await anna.click(starts_with("D3.06 4.1"))
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
        _photo(),
        caption="Signed handover checklist from Jon's independent handover",
        file_id="demo-photo",
    )
    await anna.click("Evidence")
    await anna.click("Product evidence")
    await anna.click("Today")
    await anna.send_document(_document(), "toolbox-talk-plan.pdf", file_id="demo-doc")
    await anna.click("Evidence")
    await anna.click("Product evidence")
    await anna.click("Today")
    await anna.send("Plan for Jon's first toolbox talk")

    # The ILM task elements the log above leaves open (journal.tasks), each through the button
    # /progress offers; D3.07's plan for continuing development is left open on purpose.
    for start, answers in (
        ("safe_environment", ("Site training room booked; door closed; first aider on shift.",)),
        ("impact", ("Kirkpatrick's four levels", "Handover errors on Jon's shifts fell to none.")),
        ("records_review", ("My diary of 24 sessions", "Shorter sessions; ask before telling.")),
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
        ("summary", ("Both mentees met their goals; I listen more than I talk now.",)),
    ):
        await anna.press(TaskCB(s=start).pack())
        for answer in answers:
            if "Today" in anna.last.buttons():
                await anna.click("Today")
            if "5" in anna.last.buttons():  # a rating, not asked of them here
                await anna.click("Skip")
            await anna.send(answer)
        while "Skip" in anna.last.buttons():
            await anna.click("Skip")
    await anna.press(TaskCB(s="my_goal").pack())
    await anna.send("Use a coaching model in every session")
    await anna.send("Agreed with Sam at supervision")
    await anna.click("Skip")
    await anna.click("Skip")
    await anna.send("/supervision")
    await anna.click("Today")
    await anna.send("My twenty hours with Jon and Ola")
    await anna.send("Try the GROW model next term")

    await anna.send("/request")
    await anna.click("Confirm hours")
    await anna.click(lambda label: label.startswith("E-"))
    clock.now += timedelta(hours=1)
    await _deliver_prompts(services, clock, people["Sam"])
    await _tap_inbox(people["Sam"], "Confirm")

    ada = people["Ada"]
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Decisions")
    await ada.click(starts_with("D3.06"))
    for code in ("D3.06 1.2", "D3.06 2.1", "D3.06 4.1"):
        await ada.click(lambda t, c=code: c in t)
        await ada.click("Met")
        await ada.send("Clear evidence in the diary and contracts.")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Marks")
    await ada.click("D3.06")
    await ada.send("32")
    await ada.send("44")
    await play_assessment_record(anna, ada)  # details, EcoMentor record, QA (issue 10 part B)

    # One set of files per qualification (ILM, EcoMentor), named as an assessor receives them:
    # anna-kowalska-ilm-portfolio-<date>.xlsx, ...-diary-<date>.pdf, ...-bundle-<date>.zip.
    portfolio_id = 1
    written = []
    for framework in DEMO_QUALIFICATIONS:
        for fmt in (Format.XLSX, Format.PDF, Format.ZIP):
            written.append(
                await services.exporter.build(portfolio_id, fmt, clock(), out, framework=framework)
            )
    return written
