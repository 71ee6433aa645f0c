"""Forged buttons: ids out of any row's range are stale buttons, never a failed query."""

from __future__ import annotations

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "data",
    [
        f"p:{HUGE}:r:1",
        f"p:{HUGE}:c",
        f"e:{HUGE}:open",
        f"t:{HUGE}:ok",
        f"a:{HUGE}:open",
        "p:-1:r:1",
    ],
)
async def test_a_forged_button_with_an_id_no_row_can_have_is_answered_as_stale(mentee, data):
    reply = await mentee.press(data)
    assert reply.alerts, reply.calls
    assert reply.messages == []
