"""The offline Telegram of the tests lives in the package (the demo uses it too)."""

from bot.offline import (
    BOT_USER,
    FIXED_DATE,
    ChatClient,
    FakeClock,
    OfflineSession,
    Reply,
    invite_and_join,
    offline_bot,
    onboard_mentor,
    starts_with,
)

__all__ = [
    "BOT_USER",
    "FIXED_DATE",
    "ChatClient",
    "FakeClock",
    "OfflineSession",
    "Reply",
    "invite_and_join",
    "offline_bot",
    "onboard_mentor",
    "starts_with",
]
