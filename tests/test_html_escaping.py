"""A centre's framework texts and what users type are shown as text, never read as HTML."""

from __future__ import annotations

import pytest

from tests.botkit import starts_with
from tests.conftest import invite_and_join, log_session, onboard_mentor

# A centre's framework whose texts look like HTML to Telegram: it would refuse the reply.
HEADER = "framework,title,version,unit,unit_title,outcome,outcome_text,criterion,criterion_text"
ROW = (
    "safe",
    "Safe <mentoring> & care Certificate",
    "1",
    "SG1",
    "Keeping <learners> safe",
    "1",
    "Know the duties",
    "1.1",
    "Describe the <duty> to report",
)
CENTRE_CSV = f"{HEADER}\n{','.join(ROW)}\n"


@pytest.fixture(autouse=True)
def centre_framework(settings):
    settings.frameworks_dir.mkdir(parents=True, exist_ok=True)
    (settings.frameworks_dir / "safe.csv").write_text(CENTRE_CSV, encoding="utf-8")


@pytest.fixture
async def anna(make_client):
    client = make_client("Anna <3")
    await onboard_mentor(client, ("ILM", "Safe"))
    return client


async def test_candidates_show_a_centre_framework_title_as_text(anna, make_client):
    await invite_and_join(anna, make_client("Jon"))
    ada = make_client("Ada")
    await invite_and_join(anna, ada, "Assessor")
    await log_session(anna)
    reply = await ada.send("/candidates")
    assert "Anna &lt;3 · " in reply.text
    assert "Safe &lt;mentoring&gt; &amp; care" in reply.text


async def test_decisions_show_a_centre_criterion_as_text(anna, make_client):
    ada = make_client("Ada")
    await invite_and_join(anna, ada, "Assessor")
    await ada.send("/candidates")
    await ada.click("Open")
    await ada.click("Decisions")
    await ada.click(starts_with("SG1 Keeping <learners>"))
    reply = await ada.click(starts_with("SG1 1.1"))
    assert reply.text.startswith("SG1 1.1 Describe the &lt;duty&gt; to report")
    await ada.click("Not yet")  # "Met" needs evidence, and nothing is tagged to SG1 1.1
    reply = await ada.click("Skip")
    assert reply.messages[0].text == "Recorded: SG1 1.1 not yet."
