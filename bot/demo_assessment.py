"""The demo's assessment record (issue 10 part B), played through the real handlers: the mark
sheets' details, strengths and weaknesses, EcoMentor judgements and records, and an internal
quality assurer who samples decisions and gives QA marks. Called once by bot.demo after the
assessor has decided and marked."""

from __future__ import annotations

from aiogram.types import User

from bot.offline import ChatClient, invite_and_join, starts_with

CENTRE_NAME = "Northside Learning Centre"
CENTRE_NUMBER = "204117"
REGISTRATION = "ILM-3-558210"
IQA_USER_ID = 506


async def play_assessment_record(anna: ChatClient, ada: ChatClient) -> ChatClient:
    """Returns the internal quality assurer's client (Quinn)."""
    # Anna's details for every mark sheet: her registration number and authenticity.
    await anna.send("/details")
    await anna.click("Registration number")
    await anna.send(REGISTRATION)
    await anna.click("I confirm it is my own work")

    # The assessor's strengths and weaknesses of the D3.06 sheet she has just marked.
    await ada.click("Strengths and weaknesses")
    await ada.send("Sessions planned against each mentee's goal; contracts agreed first.")
    await ada.send("Little on how the safe environment was checked after the first session.")
    await ada.send("Reflections link each change to the mentee's progress.")
    await ada.click("Skip")
    # The centre on the sheets, set once by the assessor.
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Centre and learner")
    await ada.click("Centre name")
    await ada.send(CENTRE_NAME)
    await ada.click("Centre number")
    await ada.send(CENTRE_NUMBER)

    # EcoMentor: two evidence items judged on the five qualities, the record of eligibility,
    # plan, feedback and validation stages.
    async def eco(button: str) -> None:
        await ada.send("/candidates")
        await ada.click("Open")
        await ada.click("EcoMentor record")
        await ada.click(button)

    await eco("Judge evidence")
    await ada.click(lambda t: t.startswith("E-"))
    await ada.click("Save")
    await ada.send("Her own session record, dated and specific to the mentee's goal.")
    await eco("Judge evidence")
    items = [b for b in ada.last.buttons() if b.startswith("E-")]
    await ada.click(items[1])
    await ada.click("✓ sufficient")
    await ada.click("Save")
    await ada.send("One session only: a second one with this mentee would make it sufficient.")
    for key in ("1", "2", "3", "4"):
        await eco("Eligibility (3.3)")
        await ada.click(f"{key} met")
    await eco("Assessment plan")
    await ada.send(
        "Identify outcomes from the diary and contracts; observe one session in week 6; "
        "professional discussion on units 2 and 3; decision by the end of week 8."
    )
    for stage, outcome in (
        ("Identification", "Completed"),
        ("Documentation", "Completed"),
        ("Assessment", "In progress"),
    ):
        await eco("Validation stages")
        await ada.click(stage)
        await ada.click(outcome)
    await eco("Assessor feedback")
    await ada.send("Strong planning evidence; the sufficiency of single-session items is open.")
    # One EcoMentor decision, on the first criterion of a unit that has evidence.
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Decisions")
    eco_units = [b for b in ada.last.buttons() if b.startswith("M")]
    eco_code = ""
    for unit in eco_units:
        await ada.click(unit)
        evidenced = [b for b in ada.last.buttons() if "(0)" not in b]
        if evidenced:
            eco_code = evidenced[0].split(" (")[0]
            await ada.click(evidenced[0])
            await ada.click("Met")
            await ada.send("Observed in the session record and the mentee's feedback.")
            break
        await ada.send("/candidates")
        await ada.click("Open")
        await ada.click("Decisions")

    # The internal quality assurer samples two decisions and gives the D3.06 QA marks.
    user = User(id=IQA_USER_ID, is_bot=False, first_name="Quinn", language_code="en")
    quinn = ChatClient(dp=anna.dp, bot=anna.bot, user=user)
    await invite_and_join(anna, quinn, "Internal quality assurer")
    samples = [
        ("D3.06 2.1", "Agree", None),
        ("D3.06 4.1", "Disagree", "The contracts do not show the review; cite the records review."),
    ]
    if eco_code:
        samples.append((eco_code, "Agree", "Evidence and decision match."))
    for code, verdict, comment in samples:
        await quinn.send("/candidates")
        await quinn.click("Open")
        await quinn.click("Sample decisions")
        await quinn.click(lambda t, c=code: c in t)
        await quinn.click(verdict)
        await (quinn.send(comment) if comment else quinn.click("Skip"))
    await quinn.send("/candidates")
    await quinn.click("Open")
    await quinn.click("QA marks")
    await quinn.click(starts_with("D3.06"))
    await quinn.send("30")
    await quinn.send("42")
    return quinn
