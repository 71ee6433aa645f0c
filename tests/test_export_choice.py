"""In the chat, a portfolio on several qualifications downloads each one's own files."""

from __future__ import annotations

from aiogram.methods import SendDocument

from tests.botkit import invite_and_join, onboard_mentor, starts_with
from tests.conftest import log_session


async def test_a_mentor_on_ilm_and_st1379_downloads_each_qualifications_own_workbook(make_client):
    anna = make_client("Anna")
    await onboard_mentor(anna, frameworks=("ILM", "ST1379"))
    await invite_and_join(anna, make_client("Jon"))
    await log_session(anna)
    reply = await anna.send("/export")
    labels = reply.buttons()
    assert "ILM workbook" in labels and "ST1379 workbook" in labels, labels

    names = []
    for label in ("ILM workbook", "ST1379 workbook"):
        reply = await anna.click(label, reply)
        [document] = [c for c in reply.calls if isinstance(c, SendDocument)]
        names.append(document.document.filename)
        reply = await anna.send("/export")
    assert names[0] != names[1]
    assert "-ilm-portfolio-" in names[0] and "-st1379-portfolio-" in names[1]
    assert starts_with("anna")(names[0])
