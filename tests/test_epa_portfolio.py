"""/epa through the real Dispatcher (issue 11): the apprentice curates the ST1379 gateway
portfolio, and the exports hold exactly that selection, grouped by the professional
discussion's themes, with no grade in it while the assessor's own download keeps the grades."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from aiogram.methods import SendDocument
from pypdf import PdfReader
from sqlalchemy import func, select

from handlers.epa_view import EpaCB
from storage.entries import create_entry, toggle_tag
from storage.models import TAG_BY_RULE, Entry, EpaLine, EpaPiece, Person, Portfolio
from storage.uow import writing
from tests.botkit import ChatClient, invite_and_join, onboard_mentor, starts_with
from tests.workbooks import sheet_rows

# The KSBs of the professional discussion (st1379.yaml, methods: discussion).
DISCUSSION = (
    *("K1", "K3", "K10", "K14", "K16", "S14", "B3", "B5"),  # Professional practice
    *("K2", "K11", "S2"),  # Communication
    *("K6", "S6"),  # Assessment
    *("K5", "K15", "S5", "S13"),  # Monitoring
)
MENTEES = ("Jon Baker", "Ola Nowak")


async def seed(services, clock, anna: ChatClient, sessions: int = 20) -> dict[str, int]:
    """Anna's journal: `sessions` sessions each tagged by her to two discussion KSBs, an
    employer's opinion, a witness testimony and a mentee rating tagged by rule only."""
    refs: dict[str, int] = {}
    async with writing(services.sessions) as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == anna.user.id))
        portfolio = await session.scalar(select(Portfolio).where(Portfolio.mentor_id == person.id))

        async def add(kind: str, data: dict, ksbs: tuple[str, ...], by_rule: bool = False):
            entry = await create_entry(
                session,
                portfolio_id=portfolio.id,
                author_id=person.id,
                kind=kind,
                occurred_on=clock().date(),
                data=data,
                now=clock(),
                duration_minutes=60 if kind == "session" else None,
            )
            await session.flush()
            await session.refresh(entry, ["tags"])
            for ksb in ksbs:
                source = TAG_BY_RULE if by_rule else "mentor"
                await toggle_tag(session, entry, f"st1379:{ksb}", person.id, clock(), source)
            refs[entry.ref] = entry.id

        for i in range(sessions):
            mentee = MENTEES[i % 2]
            await add(
                "session",
                {
                    "format": "one_to_one",
                    "mode": "in_person",
                    "summary": f"Session {i + 1}: {mentee} set goals",
                    "mentee_names": [mentee],
                },
                (DISCUSSION[i % 17], DISCUSSION[(i + 5) % 17]),
            )
        await add(
            "feedback",
            {"source": "supervisor", "from_name": "Ella", "text": "Anna is a natural mentor"},
            ("B3",),
        )
        await add(
            "evidence",
            {"evidence_type": "witness", "caption": "Ella on the contract meeting"},
            ("S2",),
        )
        await add("feedback", {"source": "mentee", "rating": 5}, ("S12",), by_rule=True)
    return refs


async def st1379_apprentice(make_client, services, clock) -> tuple[ChatClient, dict[str, int]]:
    anna = make_client("Anna")
    await onboard_mentor(anna, frameworks=("ST1379",))
    return anna, await seed(services, clock, anna)


async def pick(anna: ChatClient, refs: dict[str, int], ref: str) -> None:
    """Add one piece by its button and write a line for each KSB the bot asks about."""
    reply = await anna.press(EpaCB(a="t", e=refs[ref]).pack())
    while "In one line: how does it show" in reply.text:
        code = reply.text.split("<b>", 1)[1].split("</b>", 1)[0]
        reply = await anna.send(f"{ref} shows {code} in practice")


async def export(anna: ChatClient, label: str) -> Path:
    reply = await anna.send("/export")
    reply = await anna.click(label, reply)
    [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
    return Path(document.document.path)


def cover_of(path: Path) -> dict[str, str]:
    """The cover's label -> value (headings have no value)."""
    return {r[0]: (r[1] if len(r) > 1 else None) for r in sheet_rows(path, "Cover") if r and r[0]}


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


async def test_a_curated_selection_of_twelve_exports_as_exactly_those_twelve_with_their_lines(
    make_client, services, clock
):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    reply = await anna.send("/epa")
    assert "<b>EPA portfolio</b>: 0 pieces selected" in reply.text
    assert "Page 1 of 3" in reply.text
    assert any(b.startswith("▫️ E-0001") for b in reply.buttons())
    # The mentee rating only the bot tagged is not offered.
    assert "Not offered: 1 entry only the bot tagged by rule" in reply.text
    assert not any("E-0023" in b for b in reply.buttons())

    # The first by tapping its button in the list, the others by their buttons too.
    reply = await anna.click(starts_with("▫️ E-0001"), reply)
    assert "Added E-0001 (1 selected)" in reply.text
    assert "E-0001 is mapped to <b>K1</b>" in reply.text
    reply = await anna.send("Agreed the boundaries of the contract with Jon Baker")
    assert "Saved the line for K1" in reply.text and "<b>S14</b>" in reply.text
    await anna.send("Used a model from research to plan the session")
    chosen = [f"E-{n:04d}" for n in range(1, 13)]
    for ref in chosen[1:]:
        await pick(anna, refs, ref)
    reply = await anna.send("/epa")
    assert "<b>EPA portfolio</b>: 12 pieces selected" in reply.text
    assert "Every piece says how it shows each of its KSBs" in reply.text
    assert "⚠️" not in reply.text

    workbook = await export(anna, "Portfolio .xlsx")
    index = sheet_rows(workbook, "Evidence index")[1:]
    assert [r[0] for r in index] == chosen  # exactly the twelve, nothing else
    epa = sheet_rows(workbook, "EPA portfolio")
    assert epa[0][:6] == ("Theme", "Ref", "Date", "Piece", "KSB", "How it shows the KSB")
    pieces = {r[1] for r in epa[1:] if r[1]}
    assert pieces == set(chosen)
    themes = [r[0] for r in epa[1:]]
    assert themes == sorted(
        themes, key=["Professional practice", "Communication", "Assessment", "Monitoring"].index
    )
    line = next(r for r in epa[1:] if r[1] == "E-0001" and r[4] == "K1")
    assert line[0] == "Professional practice"
    # Anonymised like the rest of the portfolio.
    assert line[5] == "Agreed the boundaries of the contract with Mentee A"
    assert ("Communication", "E-0004", "K2") in {(r[0], r[1], r[4]) for r in epa[1:]}
    cover = cover_of(workbook)
    assert cover["EPA portfolio"].startswith("12 piece(s) selected by the apprentice")

    diary = pdf_text(await export(anna, "Diary .pdf"))
    assert "EPA portfolio: pieces by the professional discussion's themes" in diary
    assert "K1: Agreed the boundaries of the contract with Mentee A" in diary
    assert "E-0013" not in diary and "E-0020" not in diary
    for ref in chosen:
        assert ref in diary

    bundle = await export(anna, "Bundle .zip")
    with zipfile.ZipFile(bundle) as z:
        manifest = json.loads(z.read("manifest.json"))
        with z.open(manifest["workbook"]) as member:
            inside = bundle.parent / "from-bundle.xlsx"
            inside.write_bytes(member.read())
    assert [r[0] for r in sheet_rows(inside, "Evidence index")[1:]] == chosen


async def test_without_a_selection_the_cover_says_so_and_the_export_holds_every_piece(
    make_client, services, clock
):
    anna, _ = await st1379_apprentice(make_client, services, clock)
    workbook = await export(anna, "Portfolio .xlsx")
    failed = [r[1] for r in sheet_rows(workbook, "Cover") if r and r[0] == "Failed"]
    assert any("no EPA portfolio selection" in text and "/epa" in text for text in failed)
    assert len(sheet_rows(workbook, "Evidence index")) - 1 == 23  # today's export
    assert "EPA portfolio" not in cover_of(workbook)


async def test_a_selection_of_nine_or_seventeen_warns_but_stays(make_client, services, clock):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    for n in range(1, 10):
        await pick(anna, refs, f"E-{n:04d}")
    reply = await anna.send("/epa")
    assert "9 pieces selected" in reply.text
    assert "⚠️ Fewer than 10: that's a warning, not a rule" in reply.text
    for n in range(10, 18):
        await pick(anna, refs, f"E-{n:04d}")
    reply = await anna.send("/epa")
    assert "17 pieces selected" in reply.text
    assert "⚠️ More than 16: that's a warning, not a rule" in reply.text
    workbook = await export(anna, "Portfolio .xlsx")
    assert len(sheet_rows(workbook, "Evidence index")) - 1 == 17
    to_check = [r[1] for r in sheet_rows(workbook, "Cover") if r and r[0] == "To check"]
    assert any("17 pieces of evidence selected" in text for text in to_check)


async def test_an_employer_opinion_is_refused_and_a_witness_statement_accepted(
    make_client, services, clock
):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    reply = await anna.press(EpaCB(a="t", e=refs["E-0021"]).pack())
    assert "comes from your employer or supervisor" in reply.text
    reply = await anna.click("No: it's their opinion", reply)
    assert "an employer's opinion isn't evidence for the EPA" in reply.text

    reply = await anna.press(EpaCB(a="t", e=refs["E-0022"]).pack())
    reply = await anna.click("Yes: they observed it", reply)
    assert "what did they observe you doing?" in reply.text
    reply = await anna.send("Ella watched me agree the contract's boundaries with a mentee")
    assert "Added E-0022" in reply.text and "<b>S2</b>" in reply.text
    await anna.send("Set the boundaries and the meeting frequency together")
    async with services.sessions() as session:
        pieces = list(await session.scalars(select(EpaPiece)))
    assert [(p.entry_id, p.observed) for p in pieces] == [
        (refs["E-0022"], "Ella watched me agree the contract's boundaries with a mentee")
    ]
    workbook = await export(anna, "Portfolio .xlsx")
    [row] = [r for r in sheet_rows(workbook, "EPA portfolio") if r[1] == "E-0022"]
    assert row[6] == "Ella watched me agree the contract's boundaries with a mentee"


async def test_the_gateway_portfolio_carries_no_grade_while_the_assessors_record_keeps_it(
    make_client, services, clock
):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    ada = make_client("Ada")
    await invite_and_join(anna, ada, "Assessor")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Grades")
    await ada.click("Pass")
    reply = await ada.click("Distinction")
    assert "Overall grade: <b>Merit</b>" in reply.text
    for ref in ("E-0001", "E-0002"):
        await pick(anna, refs, ref)

    mine = await export(anna, "Portfolio .xlsx")
    texts = [str(v) for r in sheet_rows(mine, "Cover") for v in r if v]
    assert not [t for t in texts if "Merit" in t or "Distinction" in t or "Grades" in t]
    assert "Merit" not in pdf_text(await export(anna, "Diary .pdf"))

    reply = await ada.send("/candidates")
    reply = await ada.click("Open", reply)
    reply = await ada.click("Portfolio .xlsx", reply)
    [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
    cover = cover_of(Path(document.document.path))
    assert "overall: Merit" in cover["Grades: st1379"]


async def test_a_forged_or_stale_selection_button_writes_nothing(make_client, services, clock):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    eve = make_client("Eve")
    await onboard_mentor(eve, frameworks=("ST1379",))
    # Eve presses a button naming Anna's entry: not an entry of her journal.
    reply = await eve.press(EpaCB(a="t", e=refs["E-0001"]).pack())
    assert reply.alerts == ["That button is out of date. Send /help to see what you can do."]
    reply = await eve.press(EpaCB(a="w", e=refs["E-0022"]).pack())
    assert reply.alerts
    # A stranger with no journal, an unknown action and an id nobody has.
    stranger = make_client("Sam")
    reply = await stranger.press(EpaCB(a="t", e=refs["E-0001"]).pack())
    assert reply.alerts
    reply = await anna.press(EpaCB(a="zz", e=refs["E-0001"]).pack())
    assert reply.alerts
    reply = await anna.press(EpaCB(a="t", e=999_999).pack())
    assert reply.alerts
    # A skip for a line nobody asked for.
    reply = await anna.press(EpaCB(a="s", e=refs["E-0001"], k="K1").pack())
    assert reply.alerts
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(EpaPiece.id))) == 0
        assert await session.scalar(select(func.count(EpaLine.id))) == 0


async def test_taking_a_piece_out_and_back_keeps_its_lines(make_client, services, clock):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    await pick(anna, refs, "E-0003")
    reply = await anna.press(EpaCB(a="t", e=refs["E-0003"]).pack())
    assert "Took E-0003 out (0 selected)" in reply.text
    reply = await anna.press(EpaCB(a="t", e=refs["E-0003"]).pack())
    assert "Every selected piece has its KSB lines" in reply.text
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(EpaLine.id))) == 2


async def test_mydata_holds_the_lines_and_erasing_a_mentee_takes_their_name_out_of_them(
    make_client, services, clock
):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    jon = make_client("Jon")
    await invite_and_join(anna, jon)
    reply = await anna.press(EpaCB(a="t", e=refs["E-0001"]).pack())
    await anna.send("Agreed the contract with Jon in the first meeting")
    await anna.send("Planned from research")
    reply = await anna.send("/mydata")
    [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
    copy = json.loads(document.document.data)
    assert {r["text"] for r in copy["epa_lines"]} == {
        "Agreed the contract with Jon in the first meeting",
        "Planned from research",
    }
    assert [r["entry_id"] for r in copy["epa_pieces"]] == [refs["E-0001"]]

    await jon.send("/forget")
    await jon.click("Erase everything")
    async with services.sessions() as session:
        lines = set(await session.scalars(select(EpaLine.text)))
    assert not [t for t in lines if "Jon" in t]


async def test_a_piece_no_longer_mapped_is_named_and_taken_out_with_one_tap(
    make_client, services, clock
):
    anna, refs = await st1379_apprentice(make_client, services, clock)
    await pick(anna, refs, "E-0003")
    async with writing(services.sessions) as session:
        entry = await session.get(Entry, refs["E-0003"])
        await session.refresh(entry, ["tags"])
        person = await session.scalar(select(Person).where(Person.telegram_id == anna.user.id))
        for tag in [t.criterion_id for t in entry.tags]:
            await toggle_tag(session, entry, tag, person.id, clock())  # untagged
    reply = await anna.send("/epa")
    assert "E-0003 is selected but is no longer a piece (no KSB mapped to it any more)" in (
        reply.text
    )
    workbook = await export(anna, "Portfolio .xlsx")
    failed = [r[1] for r in sheet_rows(workbook, "Cover") if r and r[0] == "Failed"]
    assert any("has no piece left" in text for text in failed)
    reply = await anna.send("/epa")
    reply = await anna.click("✖ Take E-0003 out", reply)
    assert "Took E-0003 out (0 selected)" in reply.text
    async with services.sessions() as session:
        assert await session.scalar(select(func.count(EpaPiece.id))) == 0
