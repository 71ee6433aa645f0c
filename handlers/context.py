"""What every handler gets: who is writing, their portfolio, and the time in their zone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject, Update, User

from journal.prompting import local_day
from journal.updates import already_seen
from storage.fsm import DatabaseStorage, current_update_id
from storage.people_cache import PeopleCache
from storage.uow import AlreadyHandled

Clock = Callable[[], datetime]


class SeenUpdates(Protocol):
    """Where the last update of each chat is kept when the state is not in the database
    (`storage.redis_state.RedisSeen` with Redis storage)."""

    async def last(self, key: StorageKey) -> tuple[int | None, datetime | None]: ...

    async def record(self, key: StorageKey, update_id: int, at: datetime) -> None: ...


class ReplayGuard(BaseMiddleware):
    """Drops an update Telegram sent again, and one whose writes were already committed."""

    def __init__(self, clock: Clock, seen: SeenUpdates | None = None) -> None:
        self._clock = clock
        self._seen = seen

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update: Update | None = data.get("event_update")
        update_id = update.update_id if update else None
        state: FSMContext | None = data.get("state")
        storage = state.storage if state is not None else None
        if not isinstance(storage, DatabaseStorage):
            if self._seen is None or state is None or update_id is None:
                return await self._handle(handler, event, data, update_id)
            # Runs inside the chat's lock (event isolation): a copy of this update handled by
            # another worker meanwhile has been recorded by the time this one gets here.
            if already_seen(update_id, *await self._seen.last(state.key), self._clock()):
                return None
            result = await self._handle(handler, event, data, update_id)
            await self._seen.record(state.key, update_id, self._clock())
            return result
        if update_id is not None and already_seen(
            update_id, *await storage.last_seen(state.key), self._clock()
        ):
            return None
        async with storage.batched():
            return await self._handle(handler, event, data, update_id)

    @staticmethod
    async def _handle(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
        update_id: int | None,
    ) -> Any:
        token = current_update_id.set(update_id)
        try:
            return await handler(event, data)
        except AlreadyHandled:
            return None
        finally:
            current_update_id.reset(token)


class Who(BaseMiddleware):
    """Loads the person behind the update and their own portfolio (if they are a mentor)."""

    def __init__(self, people: PeopleCache, clock: Clock) -> None:
        self._people = people
        self._clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        now = self._clock()
        data["now"] = now
        data["person"] = data["portfolio"] = None
        if user is not None:
            person, portfolio = await self._people.lookup(user.id)
            if person is not None and person.consent_at is not None and person.erased_at is None:
                data["person"], data["portfolio"] = person, portfolio
        tz = data["person"].timezone if data["person"] else data["newcomer"].timezone
        data["today"] = local_day(now, tz)
        update: Update | None = data.get("event_update")
        data["update_id"] = update.update_id if update else None
        return await handler(event, data)
