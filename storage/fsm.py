"""aiogram conversation state kept in the database, so a restart never loses a half-typed entry.

Each write also records the update that caused it and when: an update replayed after a restart
or a webhook timeout is recognised (`journal.updates.already_seen`) and dropped. A finished
conversation keeps its row (state empty) so that this check still holds after it ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import delete, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from journal.clock import utcnow
from storage.db import dialect_insert, sqlite_write, write_connection
from storage.models import FsmRecord

current_update_id: ContextVar[int | None] = ContextVar("current_update_id", default=None)
# State, data, and the last update that changed them with when it was handled.
Saved = tuple[str | None, dict[str, Any], int | None, datetime | None]
_NOTHING: Saved = (None, {}, None, None)
# The storage and the keys written while one update is handled and not yet on disk; None
# outside an update, where writes go straight through.
_pending: ContextVar[tuple[DatabaseStorage, set[str]] | None] = ContextVar(
    "fsm_pending", default=None
)


async def write_pending() -> None:
    """Put the conversation state of the update being handled on disk now."""
    held = _pending.get()
    if held is None or not held[1]:
        return
    storage, names = held
    live = {name for name in names if name in storage._cache}
    names.clear()
    if live:
        await storage._write(live)


class StateBeforeReply(BaseRequestMiddleware):
    """Writes the update's conversation state before any call to Telegram.

    What the user is shown never runs ahead of what a restart resumes: a crash while the reply
    is on its way cannot leave a saved entry beside a draft that offers to save it again.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        await write_pending()
        return await make_request(bot, method)


def _upsert(dialect_name: str) -> Any:
    statement = dialect_insert(dialect_name)(FsmRecord)
    changing = ("state", "data", "last_update_id", "updated_at")
    return statement.on_conflict_do_update(
        index_elements=[FsmRecord.key], set_={c: statement.excluded[c] for c in changing}
    )


_UPSERT = {name: _upsert(name) for name in ("sqlite", "postgresql")}


class _PlainUpsert:
    """The upsert compiled once by SQLAlchemy, its values converted by the columns' own types."""

    def __init__(self, dialect: Dialect) -> None:
        compiled = _UPSERT[dialect.name].compile(dialect=dialect)
        self.sql = str(compiled)
        columns = FsmRecord.__table__.columns
        self._order = [
            (name, columns[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        ]

    def params(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [
            tuple(
                row[name] if convert is None else convert(row[name])
                for name, convert in self._order
            )
            for row in rows
        ]


def _copied(value: Any) -> Any:
    """A copy of JSON-shaped data (all the state holds), several times quicker than deepcopy."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_copied(v) for v in value)
    return value


def storage_key(key: StorageKey) -> str:
    parts = (key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id)
    return ":".join("" if p is None else str(p) for p in parts) + f":{key.destiny}"


def _user_of(name: str) -> str:
    return name.split(":")[2]


class DatabaseStorage(BaseStorage):
    """FSM storage over the `fsm_state` table with a write-through cache for this process.

    The cache is safe because one process serves the embedded default; several processes use
    Redis storage instead. Within one update, aiogram may set the state and the data several
    times (`clear()` is two writes); `batched` turns them into one write at the end.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._cache: dict[str, Saved] = {}
        self._sqlite_upsert: _PlainUpsert | None = None

    async def _load(self, key: StorageKey) -> Saved:
        name = storage_key(key)
        if name not in self._cache:
            async with self._sessions() as session:
                row = await session.scalar(select(FsmRecord).where(FsmRecord.key == name))
            self._cache[name] = (
                (row.state, row.data, row.last_update_id, row.updated_at) if row else _NOTHING
            )
        return self._cache[name]

    async def _save(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        name = storage_key(key)
        update_id = current_update_id.get()
        _, _, seen_id, seen_at = self._cache.get(name, _NOTHING)
        if update_id is not None:  # ReplayGuard let it through: it is the newest
            seen_id, seen_at = update_id, self._clock()
        self._cache[name] = (state, _copied(data), seen_id, seen_at)
        held = _pending.get()
        if held is None or held[0] is not self:
            await self._write({name})
        else:
            held[1].add(name)

    async def _write(self, names: set[str]) -> None:
        try:
            await self._upsert(names)
        except BaseException:
            # Not on disk: forget the cached value, so that the next read is what a restart sees.
            for name in names:
                self._cache.pop(name, None)
            raise

    async def _upsert(self, names: set[str]) -> None:
        engine = self._sessions.kw["bind"]
        now = self._clock()
        rows = [
            {"key": n, "state": s, "data": d, "last_update_id": u, "updated_at": at or now}
            for n in sorted(names)
            for s, d, u, at in [self._cache[n]]
        ]
        if engine.dialect.name != "sqlite":
            async with write_connection(engine) as connection:
                await connection.execute(_UPSERT[engine.dialect.name], rows)
            return
        if self._sqlite_upsert is None:
            self._sqlite_upsert = _PlainUpsert(engine.dialect)
        async with sqlite_write(engine) as connection:
            connection.executemany(self._sqlite_upsert.sql, self._sqlite_upsert.params(rows))

    @asynccontextmanager
    async def batched(self) -> AsyncIterator[None]:
        """Hold the writes of one update: they are made together before its first message to
        Telegram (`StateBeforeReply`) and at its end, whichever comes first."""
        token = _pending.set((self, set()))
        try:
            yield
        finally:
            await write_pending()
            _pending.reset(token)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        _, data, _, _ = await self._load(key)
        value = state.state if isinstance(state, State) else state
        await self._save(key, value, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        state, _, _, _ = await self._load(key)
        await self._save(key, state, dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return _copied((await self._load(key))[1])

    async def last_seen(self, key: StorageKey) -> tuple[int | None, datetime | None]:
        """The last update that changed this conversation, and when it was handled."""
        _, _, update_id, at = await self._load(key)
        return update_id, at

    async def forget(self, user_id: int) -> None:
        """Erase every conversation of one Telegram user (used by /forget)."""
        async with write_connection(self._sessions.kw["bind"]) as connection:
            keys = await connection.scalars(select(FsmRecord.key))
            mine = [k for k in keys if _user_of(k) == str(user_id)]
            if mine:
                await connection.execute(delete(FsmRecord).where(FsmRecord.key.in_(mine)))
        self._cache = {k: v for k, v in self._cache.items() if _user_of(k) != str(user_id)}

    async def close(self) -> None:
        self._cache.clear()
