"""/start: privacy notice and consent, name, time zone, role and frameworks; joining by link."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.callbacks import StartCB
from handlers.filters import NotCommand, TypedText
from handlers.flow_answers import typed_text
from handlers.flow_steps import resume
from handlers.keyboards import Button, keyboard, timezone_keyboard
from handlers.privacy import forget_conversation
from handlers.replies import reply
from handlers.tagging import next_step_keyboard
from journal.frameworks.registry import Registry
from journal.parsing import InputError
from journal.permissions import JoinProblem
from journal.textnorm import shorten
from journal.timezone_parsing import COMMON_TIMEZONES, parse_timezone
from storage import people
from storage.anonymisation_names import note_username
from storage.models import Person, Portfolio
from storage.uow import writing

NAME_LIMIT = 60
JOIN_MESSAGES = {
    JoinProblem.UNKNOWN: texts.JOIN_UNKNOWN,
    JoinProblem.EXPIRED: texts.JOIN_EXPIRED,
    JoinProblem.USED: texts.JOIN_USED,
    JoinProblem.OWN: texts.JOIN_OWN,
    JoinProblem.ALREADY: texts.JOIN_ALREADY,
    JoinProblem.OTHER_ROLE: texts.JOIN_OTHER_ROLE,
}


class Onboarding(StatesGroup):
    consent = State()
    name = State()
    timezone = State()
    role = State()
    frameworks = State()


def _consent_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [[(texts.AGREE, StartCB(act="agree")), (texts.DECLINE, StartCB(act="decline"))]]
    )


def _role_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [[(texts.ROLE_MENTOR, StartCB(act="mentor")), (texts.ROLE_INVITED, StartCB(act="invited"))]]
    )


def _tz_keyboard() -> InlineKeyboardMarkup:
    return timezone_keyboard(lambda i: StartCB(act="tz", v=i))


def _frameworks_keyboard(registry: Registry, chosen: list[str]) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        [(("✓ " if fw.id in chosen else "") + shorten(fw.title, 50), StartCB(act="fw", v=fw.id))]
        for fw in registry
    ]
    rows.append([(texts.DONE, StartCB(act="fwdone"))])
    return keyboard(rows)


async def _join(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person_id: int,
    code: str,
    now: datetime,
    update_id: int | None,
) -> None:
    async with writing(sessions, update_id) as session:
        person = await session.get(Person, person_id)
        result = await people.redeem_invitation(session, code, person, now)
        in_a_journal = bool(await people.roles_held(session, person_id))
    await state.clear()
    if isinstance(result, JoinProblem) and not in_a_journal:
        # In no journal at all: their own is one tap away, or another invitation.
        await _ask_role(target, state, person_id, JOIN_MESSAGES[result])
        return
    if isinstance(result, JoinProblem):
        await reply(target, JOIN_MESSAGES[result])
        return
    role = result.membership.role
    mentor = texts.escape(result.mentor_name)
    if role == people.Role.MENTEE:
        await reply(
            target, texts.JOINED_MENTEE.format(mentor=mentor, alias=result.membership.pseudonym)
        )
    elif role == people.Role.SUPERVISOR:
        await reply(target, texts.JOINED_SUPERVISOR.format(mentor=mentor))
    elif role == people.Role.IQA:
        await reply(target, texts.JOINED_IQA.format(mentor=mentor))
    elif role == people.Role.EMPLOYER:
        await reply(target, texts.JOINED_EMPLOYER.format(mentor=mentor))
    else:
        await reply(target, texts.JOINED_ASSESSOR.format(mentor=mentor))


async def _ask_role(
    target: Message, state: FSMContext, person_id: int, text: str = texts.ASK_ROLE
) -> None:
    """Mentor or invited: the buttons under `text` (the question, or why a link was refused)."""
    await state.set_state(Onboarding.role)
    await state.update_data(person=person_id)
    await reply(target, text, reply_markup=_role_keyboard())


async def _after_timezone(
    target: Message,
    state: FSMContext,
    sessions: async_sessionmaker[AsyncSession],
    person_id: int,
    now: datetime,
    update_id: int | None,
) -> None:
    code = (await state.get_data()).get("invite")
    if code:
        await _join(target, state, sessions, person_id, code, now, update_id)
        return
    await _ask_role(target, state, person_id)


async def _in_a_journal(sessions: async_sessionmaker[AsyncSession], person_id: int) -> bool:
    async with sessions() as session:
        return bool(await people.roles_held(session, person_id))


def build_router() -> Router:
    router = Router(name="start")

    @router.message(CommandStart())
    async def start(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        person: Person | None,
        portfolio: Portfolio | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        code = (command.args or "").strip()[:64] or None
        if person is None:
            await state.set_state(Onboarding.consent)
            await state.set_data({"invite": code})
            await reply(message, texts.PRIVACY, reply_markup=_consent_keyboard())
            return
        if code:
            await _join(message, state, sessions, person.id, code, now, update_id)
            return
        if portfolio is None and not await _in_a_journal(sessions, person.id):
            await _ask_role(message, state, person.id)
            return
        if portfolio is None:
            # Joined by link (mentee, supervisor, assessor): their own journal is one tap away.
            await state.set_state(Onboarding.role)
            await state.set_data({"person": person.id})
            await reply(
                message,
                texts.MEMBER_START,
                reply_markup=keyboard([[(texts.ROLE_MENTOR, StartCB(act="mentor"))]]),
            )
            return
        if await resume(message, state, sessions, portfolio):
            return
        await reply(message, texts.ALREADY_SET_UP, reply_markup=next_step_keyboard())

    @router.callback_query(StartCB.filter())
    async def tapped(
        query: CallbackQuery,
        callback_data: StartCB,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        registry: Registry,
        now: datetime,
        update_id: int | None,
        newcomer: people.Newcomer,
    ) -> None:
        act, current = callback_data.act, await state.get_state()
        expected = {
            "agree": Onboarding.consent,
            "decline": Onboarding.consent,
            "usename": Onboarding.name,
            "tz": Onboarding.timezone,
            "mentor": Onboarding.role,
            "invited": Onboarding.role,
            "fw": Onboarding.frameworks,
            "fwdone": Onboarding.frameworks,
        }.get(act)
        if expected is None or current != expected.state or query.message is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        target, user = query.message, query.from_user
        data = await state.get_data()
        if act == "decline":
            await forget_conversation(state, user.id)
            await reply(target, texts.DECLINED)
        elif act == "agree":
            async with writing(sessions, update_id) as session:
                person = await people.ensure_person(session, user.id, newcomer)
                person.consent_at, person.erased_at = now, None
                person.name = person.name or (user.first_name or "")[:NAME_LIMIT]
                note_username(person, user.username)  # "@jbaker" is hidden like the name
                person_id = person.id
            await state.update_data(person=person_id)
            await state.set_state(Onboarding.name)
            suggestion = (user.first_name or "")[:NAME_LIMIT]
            markup = (
                keyboard([[(texts.USE_NAME.format(name=suggestion), StartCB(act="usename"))]])
                if suggestion
                else None
            )
            await reply(target, texts.ASK_NAME, reply_markup=markup)
        elif act == "usename":
            await state.set_state(Onboarding.timezone)
            await reply(target, texts.ASK_TZ, reply_markup=_tz_keyboard())
        elif act == "tz":
            index = int(callback_data.v) if callback_data.v.isdigit() else -1
            if not 0 <= index < len(COMMON_TIMEZONES):
                await reply(target, texts.ASK_TZ, reply_markup=_tz_keyboard())
                return
            await _set_timezone(sessions, data["person"], COMMON_TIMEZONES[index][1])
            await _after_timezone(target, state, sessions, data["person"], now, update_id)
        elif act == "invited":
            await reply(target, texts.INVITED_HOW)
        elif act == "mentor":
            await state.set_state(Onboarding.frameworks)
            await state.update_data(fws=[])
            await reply(
                target, texts.ASK_FRAMEWORKS, reply_markup=_frameworks_keyboard(registry, [])
            )
        elif act == "fw":
            if registry.get(callback_data.v) is None:
                await reply(target, texts.STALE_BUTTON)
                return
            chosen = list(data.get("fws", []))
            chosen = (
                [f for f in chosen if f != callback_data.v]
                if callback_data.v in chosen
                else [*chosen, callback_data.v]
            )
            await state.update_data(fws=chosen)
            markup = _frameworks_keyboard(registry, chosen)
            if isinstance(target, Message):
                await target.edit_reply_markup(reply_markup=markup)
            else:
                await reply(target, texts.ASK_FRAMEWORKS, reply_markup=markup)
        elif act == "fwdone":
            chosen = [f for f in data.get("fws", []) if registry.get(f)]
            if not chosen:
                await reply(
                    target,
                    texts.PICK_ONE_FRAMEWORK,
                    reply_markup=_frameworks_keyboard(registry, []),
                )
                return
            async with writing(sessions, update_id) as session:
                person = await session.get(Person, data["person"])
                existing = await people.mentor_portfolio(session, person.id)
                if existing is None:
                    await people.create_portfolio(session, person, chosen)
                else:
                    await people.set_frameworks(session, existing, chosen)
                name = person.name
            await state.clear()
            titles = ", ".join(texts.escape(registry.get(f).title) for f in chosen)
            await reply(
                target,
                texts.WELCOME_MENTOR.format(name=texts.escape(name), frameworks=titles),
                reply_markup=next_step_keyboard(),
            )

    @router.message(StateFilter(Onboarding.name), TypedText())
    async def typed_name(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        update_id: int | None,
    ) -> None:
        try:
            name = typed_text(message.text or "", limit=NAME_LIMIT)
        except InputError as err:
            await reply(message, texts.escape(err.message))
            return
        data = await state.get_data()
        async with writing(sessions, update_id) as session:
            person = await session.get(Person, data["person"])
            person.name = name
        await state.set_state(Onboarding.timezone)
        await reply(message, texts.ASK_TZ, reply_markup=_tz_keyboard())

    @router.message(StateFilter(Onboarding.timezone), TypedText())
    async def typed_timezone(
        message: Message,
        state: FSMContext,
        sessions: async_sessionmaker[AsyncSession],
        registry: Registry,
        now: datetime,
        update_id: int | None,
    ) -> None:
        try:
            zone = parse_timezone(message.text or "")
        except InputError as err:
            await reply(message, texts.escape(err.message), reply_markup=_tz_keyboard())
            return
        data = await state.get_data()
        await _set_timezone(sessions, data["person"], zone)
        # A typed place can be read wrongly: show what was understood (change it in /settings).
        local = now.astimezone(ZoneInfo(zone))
        await reply(message, texts.TZ_SET.format(zone=zone, time=f"{local:%H:%M}"))
        await _after_timezone(message, state, sessions, data["person"], now, update_id)

    @router.message(StateFilter(Onboarding), NotCommand())
    async def other(message: Message, state: FSMContext, registry: Registry) -> None:
        """Anything but the expected answer: ask the current step again, with its buttons."""
        current = await state.get_state()
        if current == Onboarding.name.state:
            await reply(message, texts.ASK_NAME)
            return
        chosen = (await state.get_data()).get("fws", [])
        markups = {
            Onboarding.consent.state: _consent_keyboard(),
            Onboarding.timezone.state: _tz_keyboard(),
            Onboarding.role.state: _role_keyboard(),
            Onboarding.frameworks.state: _frameworks_keyboard(registry, chosen),
        }
        await reply(message, texts.PICK_FROM_BUTTONS, reply_markup=markups.get(current))

    return router


async def _set_timezone(
    sessions: async_sessionmaker[AsyncSession], person_id: int, zone: str
) -> None:
    async with writing(sessions) as session:
        person = await session.get(Person, person_id)
        person.timezone = zone
