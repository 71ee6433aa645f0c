"""The demo's EcoMentor assessments, written by Anna after her eight weeks: one knowledge answer
per heading of Annex 2 ("In your own words"), saved as a reflection and tagged to that heading's
criteria, and one observation record per heading of Annex 3 (observed by the independent
evaluator), tagged the same way. The last element of the practical assessment is left open on
purpose, so that the gap shows in the chat and the exports.

The answers are composed from the framework file's own element texts, so they cover exactly
what each heading asks for; the codes are typed as a candidate would type them.
"""

from __future__ import annotations

from datetime import timedelta

from bot.demo_play import type_codes, typed_code
from bot.offline import ChatClient, FakeClock
from handlers.callbacks import TaskCB
from journal.frameworks.model import Framework, TaskHeading

EXAMPLES = (
    "as when Jon led the second run of the handover checklist",
    "as in Ola's energy audit, which she drafted and I reviewed",
    "as our contract set out: work matters only, weekly sessions",
    "as in the toolbox talk Jon planned, rehearsed and gave",
    "as in the site visit debrief Ola led",
    "as in the goal reviews at weeks four and eight",
)


def _codes(heading: TaskHeading, skip: str | None = None) -> list[str]:
    return [
        typed_code(criterion)
        for element in heading.elements
        if element.code != skip
        for criterion in element.criteria
    ]


def left_open(framework: Framework) -> str:
    """The element code the demo leaves without evidence: the practical assessment's last."""
    practical = next(t for t in framework.tasks if t.code == "practical")
    return practical.elements[-1].code


async def _finish_flow(anna: ChatClient) -> None:
    """Today for the date, Skip for the optional questions, until the entry is saved."""
    while True:
        buttons = anna.last.buttons()
        if "Today" in buttons:
            await anna.click("Today")
        elif "Skip" in buttons and "Type a code" not in buttons:
            await anna.click("Skip")
        else:
            return


async def play_ecomentor(anna: ChatClient, clock: FakeClock, framework: Framework) -> None:
    knowledge = next(t for t in framework.tasks if t.code == "knowledge")
    practical = next(t for t in framework.tasks if t.code == "practical")
    for n, heading in enumerate(knowledge.headings):
        clock.now += timedelta(hours=5)
        answer = " ".join(
            f"{element.text}: {EXAMPLES[(n + i) % len(EXAMPLES)]}."
            for i, element in enumerate(heading.elements)
        )
        await anna.send(f"In my own words, {heading.title}. {answer}")
        await anna.click("Reflection")
        await _finish_flow(anna)
        await type_codes(anna, _codes(heading))
    skip = left_open(framework)
    for n, heading in enumerate(practical.headings):
        codes = _codes(heading, skip)
        if not codes:
            continue
        clock.now += timedelta(hours=5)
        mentee = ("Jon", "Ola")[n % 2]
        await anna.press(TaskCB(s="observation").pack())
        await _finish_flow(anna)
        await anna.send(
            f"Observed by the independent evaluator in my session with {mentee}: {heading.title}."
        )
        await _finish_flow(anna)
        await type_codes(anna, codes)
