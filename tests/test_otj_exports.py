"""Off-the-job training in the ST1379 exports (issue 11), through the real Dispatcher: the
workbook's sheet with each activity (late or not, confirmed by whom and when) and the totals
(planned, logged, confirmed, expected by now, minimum), the diary's section and the cover."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from aiogram.methods import SendDocument
from pypdf import PdfReader

from exports import ExportView
from exports.otj_sheet import cover_line, otj_log, totals
from journal.apprenticeship import Plan
from journal.frameworks.registry import load_registry
from journal.snapshot import ConfirmationRecord, EntryRecord, PortfolioSnapshot
from tests.test_otj import apprentice, employer, log_otj, set_plan  # noqa: F401 (fixtures)
from tests.test_prompts import buttons, deliver, outbox, sent  # noqa: F401 (fixture)
from tests.workbooks import sheet_rows

REGISTRY = load_registry()


async def download(client, label: str) -> Path:
    reply = await client.send("/export")
    reply = await client.click(label, reply)
    [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
    return Path(document.document.path)


async def test_the_off_the_job_sheet_lists_each_activity_and_the_totals(
    apprentice,  # noqa: F811
    employer,  # noqa: F811
    services,
    clock,
    outbox,  # noqa: F811
):
    await set_plan(apprentice)
    await log_otj(apprentice)  # today, 3 h, K14 and S13
    await log_otj(apprentice, when="10 Nov", hours="2h")  # recorded 13 days after: late
    await deliver(services, outbox, clock)
    first = next(m for m in sent(outbox, employer.user.id) if "3 h" in m.text)
    clock.advance(hours=1)
    await employer.press(buttons(first)["Confirm"])

    workbook = await download(apprentice, "Portfolio .xlsx")
    # Read-only rows stop at their last value: padded to the nine columns.
    rows = [tuple(r) + (None,) * (9 - len(r)) for r in sheet_rows(workbook, "Off-the-job training")]
    assert rows[0] == (
        "Date",
        "Ref",
        "Hours",
        "What was learned",
        "KSBs",
        "Recorded (UTC)",
        "Late",
        "Confirmed by",
        "Confirmed (UTC)",
    )
    late, today = rows[1], rows[2]
    assert (late[0].date(), late[1], late[2]) == (date(2026, 11, 10), "E-0002", 2)
    assert late[6] == "late: 13 days after" and late[7] == "not confirmed"
    assert (today[1], today[2], today[4]) == ("E-0001", 3, "K14, S13")
    assert today[3].startswith("Questioning techniques workshop")
    assert today[6] == "on time" and today[7] == "Ella"
    assert today[8] == datetime(2026, 11, 23, 11, 0)
    sums = {r[3]: (r[2], r[6]) for r in rows[3:]}
    assert sums == {
        "Logged": (5, "2 activities"),
        "Confirmed by the employer": (3, None),
        "Planned": (318, None),
        "Expected by now": (306, "after 51 weeks on programme"),
        "Minimum (funding rules)": (187, "not yet reached with confirmed hours"),
    }
    cover = {r[0]: r[1] for r in sheet_rows(workbook, "Cover") if r and r[0] and len(r) > 1}
    assert cover["Off-the-job training"] == (
        "5 h logged, 3 h confirmed by the employer; planned 318 h, expected by now 306 h, "
        "minimum 187 h (not yet reached)"
    )

    diary = "\n".join(
        p.extract_text() for p in PdfReader(await download(apprentice, "Diary .pdf")).pages
    )
    assert "5 h logged, 3 h confirmed by the employer; planned 318 h" in diary  # first page
    assert "Expected by now: 306 h (after 51 weeks on programme)" in diary
    assert "E-0001 23 Nov 2026, 3 h: Questioning techniques workshop" in diary
    assert "[K14, S13];\nconfirmed by Ella on 23 Nov 2026" in diary
    assert "not confirmed; recorded 13 days after (late)" in diary


def _view(snapshot: PortfolioSnapshot, entries, confirmations) -> ExportView:
    return ExportView(
        snapshot=snapshot,
        frameworks=(REGISTRY.get("st1379"),),
        checks=(),
        otj_entries=tuple(entries),
        otj_confirmations=tuple(confirmations),
    )


def test_an_activity_confirmed_twice_counts_once_and_no_plan_is_said():
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    entry = EntryRecord("E-0001", "otj", date(2026, 3, 2), at, "Anna", {"learned": "x"}, (), 120)
    twice = [
        ConfirmationRecord("otj", "Ella", "E-0001", 120, None, at),
        ConfirmationRecord("otj", "Ella", "E-0001", 120, None, at),
    ]
    snapshot = PortfolioSnapshot(1, "Anna", ("st1379",), at)
    log = otj_log(_view(snapshot, [entry], twice))
    assert (log.logged_minutes, log.confirmed_minutes) == (120, 120)
    assert totals(log)[-1] == ("Planned", None, "no apprenticeship plan set (/apprenticeship)")
    plan = Plan(date(2025, 9, 1), date(2026, 8, 31), planned_hours=312, minimum_hours=187)
    planned = PortfolioSnapshot(1, "Anna", ("st1379",), at, otj_plan=plan)
    assert "expected by now 156 h" in cover_line(_view(planned, [entry], twice))


def test_a_portfolio_without_off_the_job_training_or_st1379_has_no_sheet():
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert otj_log(_view(PortfolioSnapshot(1, "Anna", ("st1379",), at), [], [])) is None
    ilm = ExportView(PortfolioSnapshot(1, "Anna", ("ilm",), at), (REGISTRY.get("ilm"),), ())
    assert otj_log(ilm) is None
