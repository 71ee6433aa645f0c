"""The offline demo: a realistic mentor through the real handlers, then the three exports."""

import re
import sqlite3

from pypdf import PdfReader

from bot.demo import run_demo
from exports.bundle import verify_bundle
from exports.signing import read_public_key
from tests.workbooks import sheet_rows


async def test_demo_writes_a_full_portfolio_without_token_or_network(tmp_path):
    written = await run_demo(tmp_path)
    # One workbook, diary and bundle per qualification, named by candidate, qualification, date.
    names = [re.sub(r"\d{4}-\d{2}-\d{2}", "DATE", p.name) for p in written]
    assert names == [
        f"anna-kowalska-{q}-{kind}-DATE.{suffix}"
        for q in ("ilm", "ecomentor")
        for kind, suffix in (("portfolio", "xlsx"), ("diary", "pdf"), ("bundle", "zip"))
    ]
    workbook, diary_pdf, bundle = written[:3]
    demo_key = read_public_key(tmp_path / "demo-data" / "signing_key.pem")
    assert verify_bundle(bundle, demo_key) == []
    assert verify_bundle(written[5], demo_key) == []

    db = sqlite3.connect(tmp_path / "demo-data" / "mentorlog.db")
    kinds = dict(db.execute("select kind, count(*) from entries group by kind").fetchall())
    minutes = db.execute(
        "select sum(duration_minutes) from entries where kind = 'session'"
    ).fetchone()[0]
    assert kinds["session"] == 25 and minutes >= 20 * 60
    # 25 from the mentees, one from the site manager and one from the supervisor (task D3.07).
    assert kinds["feedback"] == 27 and kinds["goal_review"] >= 2 and kinds["reflection"] >= 3
    assert db.execute("select count(*) from attachments").fetchone()[0] == 2
    assert db.execute("select count(*) from confirmations").fetchone()[0] == 1
    assert db.execute("select count(*) from decisions").fetchone()[0] >= 3
    assert db.execute("select count(distinct membership_id) from entry_mentees").fetchone()[0] == 2

    cover = sheet_rows(workbook, "Cover")
    # 45 minutes of the 24 hours were confirmed: D3.07 is supervised practice, not reached.
    assert (
        "Hours: ilm D3.07",
        "24 h of 20 h, 45 min confirmed by the supervisor (not reached: 19 h 15 to confirm)",
    ) in cover
    diary = "\n".join(page.extract_text() for page in PdfReader(diary_pdf).pages)
    assert "Planning and organising mentoring sessions" in diary
    assert "Reflections on the effectiveness of coaching activity" in diary

    # The assessment record (issue 10 part B): the ILM files show the mark-sheet fields and the
    # hours logged and confirmed, the EcoMentor workbook the five judgements and the QA sample.
    def record(path):
        rows = sheet_rows(path, "Assessment record")
        return {f"{s} | {i}": str(d) for s, i, d in rows[1:]}

    ilm = record(workbook)
    assert ilm["Mark sheet D3.06 | Centre"] == "Northside Learning Centre (number 204117)"
    assert ilm["Mark sheet D3.06 | Learner registration number"] == "ILM-3-558210"
    assert ilm["Mark sheet D3.06 | Authenticity"].startswith("confirmed by Anna Kowalska")
    assert ilm["Mark sheet D3.06 | Quality assurance"] == "72: PASS"
    assert "45 min confirmed by the supervisor" in ilm["Hours | D3.07"]
    assert "Northside Learning Centre" in diary and "ILM-3-558210" in diary
    eco = record(written[3])
    judged = [v for k, v in eco.items() if k.startswith("Evidence judged |") and "✓" in v]
    assert len(judged) == 2 and any("sufficient ✗" in v for v in judged)
    assert eco["EcoMentor record | Stage: assessment"].startswith("in progress")
    assert eco["QA | Sample"] == "1 decision sampled: 1 agreed, 0 disagreed"
    assert ilm["QA | Sample"] == "2 decisions sampled: 1 agreed, 1 disagreed"
