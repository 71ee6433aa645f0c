"""Steps the demo's players share: the messages the bot sent someone outside their own updates
(prompts), tapping a button on them, delivering due prompts, and asking the supervisor to
confirm a session's hours."""

from __future__ import annotations

from aiogram.methods import SendMessage

from bot.app import Services
from bot.offline import ChatClient, FakeClock
from bot.prompter import Limiter, run_due_prompts


def inbox(client: ChatClient) -> SendMessage:
    """The newest message the bot sent to this person (prompts arrive outside their updates)."""
    for call in reversed(client.session.calls):
        if isinstance(call, SendMessage) and call.chat_id == client.user.id and call.reply_markup:
            return call
    raise LookupError(f"nothing with buttons for {client.user.first_name}")


async def tap_inbox(client: ChatClient, label: str) -> None:
    message = inbox(client)
    for row in message.reply_markup.inline_keyboard:  # type: ignore[union-attr]
        for button in row:
            if button.text == label:
                await client.press(button.callback_data or "")
                return
    raise LookupError(f"no button {label!r} for {client.user.first_name}")


async def deliver_prompts(services: Services, clock: FakeClock, client: ChatClient) -> None:
    await run_due_prompts(
        client.bot, services.sessions, clock(), worker_id="demo", limiter=Limiter()
    )


async def confirm_last_session(
    services: Services, clock: FakeClock, mentor: ChatClient, supervisor: ChatClient
) -> None:
    """The mentor asks for the newest session's hours; the supervisor confirms them."""
    await mentor.send("/request")
    await mentor.click("Confirm hours")
    await mentor.click(lambda label: label.startswith("E-"))
    await deliver_prompts(services, clock, supervisor)
    await tap_inbox(supervisor, "Confirm")


# A typed answer may hold up to 100 characters (handlers.tagging): six codes fit.
CODES_PER_MESSAGE = 6


def typed_code(criterion_id: str) -> str:
    """'ecomentor:M1_JM_01/1.1' -> 'M1_JM_01 1.1', the way a candidate types a code."""
    return criterion_id.partition(":")[2].replace("/", " ")


async def type_codes(client: ChatClient, codes: list[str]) -> None:
    """Tag the entry just saved with `codes` (typed, six to a message)."""
    for i in range(0, len(codes), CODES_PER_MESSAGE):
        await client.click("Type a code")
        await client.send(", ".join(codes[i : i + CODES_PER_MESSAGE]))
