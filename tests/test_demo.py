"""The offline demo: one portfolio per qualification through the real handlers, each in its own
folder with its workbook, diary and bundle, every task element evidenced but one."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.demo import DEMO_QUALIFICATIONS
from bot.demo_ilm import LEFT_OPEN
from exports.bundle import verify_bundle
from exports.signing import read_public_key
from tests.workbooks import sheet_rows

Demo = tuple[Path, list[Path]]


def _files(demo: Demo, qualification: str) -> dict[str, Path]:
    return {p.suffix: p for p in demo[1] if p.parent.name == qualification}


def _diary(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _record(path: Path) -> dict[str, str]:
    rows = sheet_rows(path, "Assessment record")
    return {f"{s} | {i}": str(d) for s, i, d in rows[1:]}


def test_demo_writes_one_folder_per_qualification_named_as_exports_name_them(demo: Demo) -> None:
    out, written = demo
    names = [re.sub(r"\d{4}-\d{2}-\d{2}", "DATE", str(p.relative_to(out))) for p in written]
    candidates = {"ilm": "anna-kowalska", "ecomentor": "anna-kowalska", "st1379": "priya-shah"}
    assert names == [
        f"{q}/{candidates[q]}-{q}-{kind}-DATE.{suffix}"
        for q in DEMO_QUALIFICATIONS
        for kind, suffix in (("portfolio", "xlsx"), ("diary", "pdf"), ("bundle", "zip"))
    ]
    demo_key = read_public_key(out / "demo-data" / "signing_key.pem")
    for q in DEMO_QUALIFICATIONS:
        assert verify_bundle(_files(demo, q)[".zip"], demo_key) == []


def test_demo_journal_is_played_through_the_handlers(demo: Demo) -> None:
    db = sqlite3.connect(demo[0] / "demo-data" / "mentorlog.db")
    (anna,) = db.execute(
        "select p.id from portfolios p join people m on m.id = p.mentor_id where telegram_id = ?",
        (501,),
    ).fetchone()
    kinds = dict(
        db.execute(
            "select kind, count(*) from entries where portfolio_id = ? group by kind", (anna,)
        ).fetchall()
    )
    # 25 mentoring sessions (Jon, Ola) and 22 coaching sessions of 90 minutes (Kai, Lee).
    assert kinds["session"] == 47
    # One answer per session from the mentee, one from the site manager, one from Sam.
    assert kinds["feedback"] == 47 + 2
    # Every session's hours were asked for and confirmed by the supervisor.
    confirmed = db.execute(
        "select count(*) from confirmations join entries e on e.id = entry_id "
        "where confirmations.kind = 'hours' and e.portfolio_id = ?",
        (anna,),
    ).fetchone()
    assert confirmed[0] == 47
    mentees = db.execute(
        "select count(distinct membership_id) from entry_mentees "
        "join entries e on e.id = entry_id "
        "where e.portfolio_id = ?",
        (anna,),
    ).fetchone()
    assert mentees[0] == 4
    attachments = db.execute(
        "select count(*) from attachments join entries e on e.id = entry_id "
        "where e.portfolio_id = ?",
        (anna,),
    ).fetchone()
    assert attachments[0] == 4  # a photo, the toolbox talk plan and the two assignments
    db.close()


@pytest.mark.parametrize(
    ("qualification", "task", "element"),
    [
        ("ilm", "D3.07 Personal Development Plan and Reflective Log", "Plan your continuing"),
        ("ecomentor", "Practical Assessment", "M3_JM_07 5.4"),
    ],
)
def test_each_demo_portfolio_leaves_exactly_one_task_element_open(
    demo: Demo, qualification: str, task: str, element: str
) -> None:
    files = _files(demo, qualification)
    rows = sheet_rows(files[".xlsx"], "Task elements")
    header, body = rows[0], rows[1:]
    evidence = header.index("Evidence")
    missing = [r for r in body if str(r[evidence]).startswith("missing")]
    assert len(missing) == 1, missing
    assert missing[0][0] == task and element in " ".join(map(str, missing[0]))
    assert all(re.match(r"E-\d{4}", str(r[evidence])) for r in body if r not in missing)


def test_ilm_demo_shows_every_d306_and_d307_element_hours_and_mark_sheet_fields(
    demo: Demo,
) -> None:
    files = _files(demo, "ilm")
    rows = sheet_rows(files[".xlsx"], "Task elements")
    elements = [r for r in rows[1:] if str(r[0]).startswith(("D3.06", "D3.07"))]
    assert len(elements) == 8 + 8
    diary = _diary(files[".pdf"])
    for row in elements:
        assert " ".join(str(row[2]).split()[:4]) in " ".join(diary.split())
    assert "missing" in diary.lower() and LEFT_OPEN[0] in diary
    cover = dict(r for r in sheet_rows(files[".xlsx"], "Cover") if len(r) == 2)
    assert cover["Hours: ilm D3.07"] == "24 h of 20 h, 24 h confirmed by the supervisor (reached)"
    assert cover["Hours: ilm D3.04"] == "33 h of 30 h, 33 h confirmed by the supervisor (reached)"
    record = _record(files[".xlsx"])
    assert record["Mark sheet D3.06 | Centre"] == "Northside Learning Centre (number 204117)"
    assert record["Mark sheet D3.06 | Learner registration number"] == "ILM-3-558210"
    assert record["Mark sheet D3.06 | Authenticity"].startswith("confirmed by Anna Kowalska")
    assert record["Mark sheet D3.06 | Quality assurance"] == "72: PASS"
    assert "24 h confirmed by the supervisor" in record["Hours | D3.07"]
    assert record["QA | Sample"] == "2 decisions sampled: 1 agreed, 1 disagreed"
    assert "Northside Learning Centre" in diary and "ILM-3-558210" in diary
    assert "Planning and organising mentoring sessions" in diary


def test_ecomentor_demo_shows_the_five_judgements_and_the_qa_sample(demo: Demo) -> None:
    record = _record(_files(demo, "ecomentor")[".xlsx"])
    judged = [v for k, v in record.items() if k.startswith("Evidence judged |") and "✓" in v]
    assert len(judged) == 2 and any("sufficient ✗" in v for v in judged)
    assert record["EcoMentor record | Stage: assessment"].startswith("in progress")
    assert record["QA | Sample"] == "1 decision sampled: 1 agreed, 0 disagreed"


@pytest.fixture(scope="module")
def demo(demo_out: Demo) -> Demo:
    return demo_out


def test_st1379_demo_is_a_curated_selection_with_the_statement_and_confirmed_hours(
    demo: Demo,
) -> None:
    files = _files(demo, "st1379")
    pieces = sheet_rows(files[".xlsx"], "EPA portfolio")[1:]
    refs = {r[1] for r in pieces if str(r[1]).startswith("E-")}
    assert len(refs) == 12
    # Every piece says how it shows each KSB, and the mentees' names are not in the lines.
    assert all(r[5] for r in pieces if str(r[1]).startswith("E-"))
    assert not any("Dan" in str(r) or "Eve" in str(r) for r in pieces)
    cover = dict(r for r in sheet_rows(files[".xlsx"], "Cover") if len(r) == 2)
    assert cover["Off-the-job training"].startswith(
        "318 h logged, 318 h confirmed by the employer; planned 300 h"
    )
    assert cover["Apprentice"].startswith("confirmed by Priya Shah")
    assert cover["Employer"].startswith("confirmed by Tom")
    checks = [r for r in sheet_rows(files[".xlsx"], "Cover") if r[:1] in (("Failed",), ("Check",))]
    assert checks == []
    diary = _diary(files[".pdf"])
    assert "valid and attributable to the apprentice, Priya Shah" in diary


def test_st1379_demo_shows_the_gateway_checklist_met_and_one_recording_of_two(
    demo: Demo,
) -> None:
    rows = sheet_rows(_files(demo, "st1379")[".xlsx"], "Cover")
    cover = dict(r for r in rows if len(r) == 2)
    assert cover["Gateway"].startswith("confirmed on ")
    assert cover["Gateway"].endswith("; 1 of 2 recordings accepted")
    start = rows.index(("Gateway checklist (ST1379)",))
    items = [r for r in rows[start + 1 : start + 7]]
    assert [str(r[0])[0] for r in items] == ["✓"] * 6


def test_st1379_demo_leaves_the_second_recording_open(demo: Demo) -> None:
    db = sqlite3.connect(demo[0] / "demo-data" / "mentorlog.db")
    kinds = [k for (k,) in db.execute("select kind from gateway_records order by id")]
    assert kinds == ["english", "maths", "decision", "gateway"]
    recordings = db.execute("select count(*) from recordings").fetchone()[0]
    db.close()
    assert recordings == 1  # two are needed: the second is the element left open
