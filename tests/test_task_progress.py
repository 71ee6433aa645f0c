"""The bot knows what each assessed task still needs: from the entries alone (journal.tasks),
after a save, and in /progress, with a button that starts the flow filling the next element."""

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import pytest

from handlers.callbacks import TaskCB
from handlers.flows import FLOWS
from journal.frameworks.registry import load_registry
from journal.snapshot import EntryRecord
from journal.tasks import STARTS, task_status
from tests.botkit import ChatClient
from tests.conftest import log_session

ILM = load_registry(None).get("ilm")


def _entry(ref: str, kind: str, tags: tuple[str, ...] = (), **data: str) -> EntryRecord:
    when = datetime(2025, 11, 3, tzinfo=UTC)
    return EntryRecord(ref, kind, date(2025, 11, 3), when, "Anna", data, tags=tags)


def _d306(entries: list[EntryRecord]) -> dict[str, tuple[str, ...]]:
    status = next(s for s in task_status(ILM, entries) if s.task.code == "D3.06")
    return {e.element.code: e.refs for e in status.elements}


def test_an_element_is_met_by_an_entry_of_its_kind_with_its_field_filled():
    plain_contract = _entry("E-0001", "contract", boundaries="No appraisal talk")
    assert _d306([plain_contract])["safe_environment"] == ()
    safe = _entry("E-0002", "contract", environment="A quiet room, door closed")
    found = _d306([plain_contract, safe])
    assert found["safe_environment"] == ("E-0002",)
    assert found["contract"] == ("E-0001",)


def test_a_confirmed_tag_on_the_elements_criterion_meets_it_too():
    supervision = _entry("E-0003", "supervision", discussion="We read my diary")
    assert _d306([supervision])["records_review"] == ()
    tagged = _entry("E-0003", "supervision", ("ilm:D3.06/4.1",), discussion="We read my diary")
    assert _d306([tagged])["records_review"] == ("E-0003",)
    # A tag does not make an entry of another kind count.
    note = _entry("E-0004", "reflection", ("ilm:D3.06/4.1",), worked="Role play")
    assert _d306([note])["records_review"] == ()


def test_feedback_from_each_of_mentee_supervisor_and_stakeholder_is_needed():
    status = lambda entries: next(  # noqa: E731
        e.refs
        for s in task_status(ILM, entries)
        if s.task.code == "D3.07"
        for e in s.elements
        if e.element.code == "feedback"
    )
    feedback = [
        _entry("E-0001", "feedback", source="mentee", text="Clear"),
        _entry("E-0002", "feedback", source="supervisor", text="Good questions"),
    ]
    assert status(feedback) == ()
    stakeholder = _entry("E-0003", "feedback", source="other", text="Fewer errors")
    assert status([*feedback, stakeholder]) == ("E-0001", "E-0002", "E-0003")


def test_every_flow_a_task_button_can_start_is_a_flow_of_the_bot():
    assert {flow for flow, _ in STARTS.values()} <= set(FLOWS)
    assert all(len(TaskCB(s=name).pack().encode()) <= 64 for name in STARTS)
    registry = load_registry(None)
    frameworks = [registry.get(i) for i in ("ilm", "ecomentor", "st1379")]
    used = {e.flow for f in frameworks for t in f.tasks for e in t.elements}
    assert used - {None} <= set(STARTS)


# --- through the real Dispatcher --------------------------------------------------------------

Play = Callable[[ChatClient], Awaitable[None]]
_REF = re.compile(r"Saved as <b>(E-\d+)</b>")


def _task_block(text: str, task: str) -> str:
    """The lines of /progress under one task, up to the next task."""
    start = text.index(f"<b>{task}</b> ")
    following = [m.start() for m in re.finditer(r"\n<b>D3\.\d\d</b> ", text) if m.start() > start]
    return text[start : following[0] if following else len(text)]


async def _progress_of(mentor: ChatClient, task: str) -> str:
    reply = await mentor.send("/progress")
    return _task_block(reply.text, task)


async def _saved_ref(mentor: ChatClient) -> str:
    found = _REF.findall(mentor.last.text)
    assert found, mentor.last.text
    return found[-1]


async def _start(mentor: ChatClient, start: str) -> None:
    await mentor.press(TaskCB(s=start).pack())


async def _answers(mentor: ChatClient, *answers: str) -> None:
    """Each answer typed, or tapped when it is a button of the question (Skip, Today ...)."""
    for answer in answers:
        if answer in mentor.last.buttons():
            await mentor.click(answer)
        else:
            await mentor.send(answer)


def _flow(start: str | None, command: str | None, *answers: str) -> Play:
    async def play(mentor: ChatClient) -> None:
        if start:
            await _start(mentor, start)
        else:
            await mentor.send(command or "")
        await _answers(mentor, *answers)

    return play


D306: list[tuple[str, Play]] = [
    (
        "what the sessions and the programme need to achieve",
        _flow(
            "contract",
            None,
            "Jon",
            "Today",
            "Skip",
            "Skip",
            "Skip",
            "Handover practice, then shadowing",
            "Skip",
            "Skip",
        ),
    ),
    (
        "your mentoring contract and boundaries",
        _flow(
            None,
            "/contract",
            "Jon",
            "Today",
            "No appraisal topics",
            "Skip",
            "Skip",
            "Skip",
            "Skip",
            "Skip",
        ),
    ),
    (
        "how you planned a safe environment",
        _flow("safe_environment", None, "Today", "A quiet room booked, door closed"),
    ),
    (
        "your overall summary at the end of the programme",
        _flow(
            "summary", None, "Today", "Six sessions; Jon now runs handovers", "Skip", "Skip", "Skip"
        ),
    ),
    (
        "what worked well and what you would do differently",
        _flow(None, "/reflect", "Today", "Role play worked", "Skip", "Skip", "Skip"),
    ),
    (
        "how your mentees progressed towards their goals",
        _flow(None, "/reflect", "Today", "Skip", "Skip", "Jon leads the handover now", "Skip"),
    ),
    (
        "the impact on your mentees’ performance (and the model you used)",
        _flow("impact", None, "Today", "Kirkpatrick's four levels", "Fewer handover errors"),
    ),
    (
        "your supervisor’s review of your records",
        _flow(
            "records_review",
            None,
            "Today",
            "My diary of six sessions",
            "Shorter sessions, more open questions",
        ),
    ),
]

D307: list[tuple[str, Play]] = [
    (
        "your learning goals, agreed with your supervisor",
        _flow(
            "my_goal",
            None,
            "Ask more open questions",
            "Agreed at supervision on 3 Nov",
            "Skip",
            "Skip",
        ),
    ),
    (
        "a plan for your 20 hours, agreed with your supervisor",
        _flow(
            "development_plan",
            None,
            "Today",
            "My learning goals",
            "Two sessions a week with Jon until March",
        ),
    ),
    (
        "your programme, its goals and its benefits",
        _flow(
            "programme",
            None,
            "Today",
            "Twelve weeks of handover mentoring",
            "Agreed with Jon and his manager",
            "Safer shifts, a confident new lead",
        ),
    ),
    (
        "session records with your mentees’ progress",
        _flow(
            None,
            "/log",
            "Jon",
            "Today",
            "1h",
            "In person",
            "Handover",
            "Ran the checklist",
            "He leads it without notes now",
            "Skip",
            "Skip",
        ),
    ),
    (
        "a review of your mentees’ performance with others",
        _flow(
            "stakeholder_feedback",
            None,
            "Sam Patel, shift manager",
            "Today",
            "Skip",
            "Jon's handovers are complete and on time",
        ),
    ),
]


async def _walk(mentor: ChatClient, task: str, steps: list[tuple[str, Play]]) -> None:
    for short, play in steps:
        before = await _progress_of(mentor, task)
        assert f"✗ {short}" in before, (short, before)
        await play(mentor)
        ref = await _saved_ref(mentor)
        after = await _progress_of(mentor, task)
        met = next((line for line in after.splitlines() if line.startswith(f"✓ {short}: ")), "")
        assert ref in met, (short, ref, after)


async def test_d306_safe_environment_missing_until_a_note_covers_it(mentor: ChatClient):
    progress = await mentor.send("/progress")
    assert "✗ how you planned a safe environment" in _task_block(progress.text, "D3.06")
    await _start(mentor, "safe_environment")
    await mentor.click("Today")
    saved = await mentor.send("We meet in the training room: private, booked, door closed")
    ref = await _saved_ref(mentor)
    assert "Counts for D3.06: how you planned a safe environment" in saved.text
    assert "D3.06 still needs:" in saved.text.replace("<b>", "").replace("</b>", "")
    block = await _progress_of(mentor, "D3.06")
    assert f"✓ how you planned a safe environment: {ref}" in block
    assert "<b>D3.06</b> Mentoring Diary: 1 of 8 done" in block


async def test_d306_every_element_missing_until_an_entry_meets_it_then_met_with_its_ref(
    mentor: ChatClient, mentee: ChatClient
):
    await _walk(mentor, "D3.06", D306)
    assert "<b>D3.06</b> Mentoring Diary: 8 of 8 done" in await _progress_of(mentor, "D3.06")


async def test_d307_every_element_missing_until_an_entry_meets_it_then_met_with_its_ref(
    mentor: ChatClient, mentee: ChatClient
):
    await _walk(mentor, "D3.07", D307)
    # Feedback is met only once a mentee, the supervisor and a stakeholder have all given it.
    feedback = "feedback from a mentee, your supervisor and a stakeholder"
    await _flow(None, "/feedback", "A mentee", "Jon", "Today", "5", "Clear and patient")(mentor)
    assert f"✗ {feedback}" in await _progress_of(mentor, "D3.07")
    await _flow(
        None,
        "/feedback",
        "My supervisor",
        "Ruth Mills, supervisor",
        "Today",
        "Skip",
        "Good open questions",
    )(mentor)
    ref = await _saved_ref(mentor)
    block = await _progress_of(mentor, "D3.07")
    assert ref in next(line for line in block.splitlines() if line.startswith(f"✓ {feedback}: "))
    await _walk(
        mentor,
        "D3.07",
        [
            (
                "a discussion of your practice with your supervisor",
                _flow(
                    None,
                    "/supervision",
                    "Today",
                    "My 20 hours with Jon",
                    "Try a coaching model next term",
                ),
            ),
            (
                "your plan for continuing development",
                _flow("cpd_plan", None, "Today", "A coaching course in spring, then a new mentee"),
            ),
        ],
    )
    assert "<b>D3.07</b> Personal Development Plan and Reflective Log: 8 of 8 done" in (
        await _progress_of(mentor, "D3.07")
    )


async def test_progress_offers_a_button_that_starts_the_flow_of_a_missing_element(
    mentor: ChatClient, mentee: ChatClient
):
    await log_session(mentor)
    progress = await mentor.send("/progress")
    assert "D3.06: Add what the sessions and the programme…" in progress.buttons() or any(
        b.startswith("D3.06: Add ") for b in progress.buttons()
    )
    started = await mentor.click(lambda b: b.startswith("D3.06: Add "))
    assert "Which mentee is the contract with?" in started.text


@pytest.mark.parametrize("name", sorted(STARTS))
async def test_every_task_button_starts_a_question(mentor: ChatClient, name: str):
    reply = await mentor.press(TaskCB(s=name).pack())
    assert reply.messages, name
