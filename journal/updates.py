"""Whether a chat has seen a Telegram update already (DESIGN.md section 10).

Polling marks an update read before its handler ends, webhooks are sent again after a timeout,
and pending updates come again after a restart, so an update may arrive twice. Ids normally
grow, but after a week without updates the Bot API picks the next id at random, possibly far
below the last one a chat saw. Telegram keeps an update it may send again for 24 hours at most,
so an id at or below the chat's last one is a replay only while that last one is younger than
that: an older chat has nothing left that could come again, and a lower id is a new sequence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# How long the Bot API keeps an update that was not confirmed (getUpdates' documentation).
REPLAYABLE_FOR = timedelta(hours=24)


def already_seen(
    update_id: int, last_id: int | None, last_at: datetime | None, now: datetime
) -> bool:
    if last_id is None:
        return False
    if update_id == last_id:
        return True
    if update_id > last_id:
        return False
    return last_at is not None and now - last_at < REPLAYABLE_FOR
