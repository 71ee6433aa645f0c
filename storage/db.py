"""Engine and session factories, with SQLite tuned for one writer and many readers."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.util.concurrency import await_

from storage.sqlite_inline import DRIVER as INLINE_DRIVER
from storage.sqlite_inline import begin_immediate

# RETURNING arrived in SQLite 3.35 (upserts in 3.24).
SQLITE_NEEDED = (3, 35)
# How long a write waits for SQLite's write lock held by another process: long enough for a
# migration step, short enough to tell the user to try again. The wait is off the event loop
# (`storage.sqlite_inline.begin_immediate`); other calls wait as long inside SQLite.
BUSY_SECONDS = 5
WRITE = "mentorlog_write"
SNAPSHOT = "mentorlog_snapshot"
# One queue of writers per database file in each event loop, whichever engine they write through.
_write_locks: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    WeakKeyDictionary()
)


def dialect_insert(dialect_name: str) -> Callable[..., Any]:
    """INSERT with ON CONFLICT for the database in use (SQLite or PostgreSQL)."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    """An engine whose SQLite write transactions take the write lock at BEGIN.

    WAL lets readers run beside the one writer. A deferred transaction that reads and then
    writes fails at once with "database is locked" when another connection wrote meanwhile,
    whatever the busy timeout, so write transactions (see `write_session`) begin IMMEDIATE;
    plain reads begin deferred and never wait for a writer.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    if sqlite3.sqlite_version_info < SQLITE_NEEDED:
        raise RuntimeError(
            f"SQLite {sqlite3.sqlite_version} is too old: mentorlog needs "
            f"{'.'.join(map(str, SQLITE_NEEDED))} or newer (RETURNING)."
        )
    if parsed.database and parsed.database != ":memory:":
        # Absolute, so that the writers' queue (`_writer_turn`) knows the file by one name.
        path = Path(parsed.database).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(path))
    # Whatever driver the URL names, SQLite runs inline (storage.sqlite_inline). The Session
    # always ends its own transactions, so the pool need not roll back again; it keeps enough
    # connections that overflow ones are not opened and closed again under load.
    engine = create_async_engine(
        parsed.set(drivername=INLINE_DRIVER),
        # Alembic migrates from a worker thread (storage.migrate), through an engine of its own.
        connect_args={"timeout": BUSY_SECONDS, "check_same_thread": False},
        pool_reset_on_return=None,
        pool_size=20,
        max_overflow=20,
        # What people wrote must not reach the logs inside a database error.
        hide_parameters=True,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted content is overwritten with zeros, not left in free pages (erasure).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Plain reads run statement by statement (each sees a consistent state of its own);
        # a snapshot read that spans statements begins deferred; writes begin IMMEDIATE.
        # Straight on SQLite's connection: a statement of SQLAlchemy's own costs 70 µs more.
        options = conn.get_execution_options()
        if options.get(WRITE):
            # In SQLAlchemy's greenlet: the wait for another process's lock awaits the loop.
            await_(_begin_immediate(conn.connection.driver_connection))
        elif options.get(SNAPSHOT):
            conn.connection.driver_connection.execute("BEGIN")

    return engine


def _begin_immediate(connection: sqlite3.Connection) -> Awaitable[None]:
    """BEGIN IMMEDIATE that waits for another process's write lock without stalling the loop."""
    return begin_immediate(
        connection, patience=BUSY_SECONDS, busy_timeout_ms=int(BUSY_SECONDS * 1000)
    )


class InlineSession(AsyncSession):
    """A session over inline SQLite, closed in place at the end of its `async with`.

    AsyncSession closes in a task of its own, shielded, so that a cancellation cannot cut a
    close short; that costs a turn of the event loop per session, in which every other update
    runs ahead. Over inline SQLite a close never waits on anything, so nothing can cut it short.
    """

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions of a class of their own, so that session events of one factory stay its own."""
    own_class = type("MentorlogSession", (Session,), {})
    return async_sessionmaker(
        engine,
        class_=InlineSession
        if engine.dialect.driver == INLINE_DRIVER.split("+")[1]
        else AsyncSession,
        expire_on_commit=False,
        sync_session_class=own_class,
    )


@asynccontextmanager
async def snapshot_session(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A read transaction spanning several statements (exports): one consistent state."""
    async with sessions() as session:
        await session.connection(execution_options={SNAPSHOT: True})
        yield session


@asynccontextmanager
async def _writer_turn(engine: AsyncEngine) -> AsyncIterator[None]:
    """The writers of this process queue here on SQLite, not in SQLite's busy handler.

    SQLite calls run inline, so a writer waiting in that handler would stall the event loop,
    and with it the writer it waits for if both are in this process. The queue is per file,
    not per engine, so two engines on one file (two schedulers, say) never meet in SQLite.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    locks = _write_locks.setdefault(asyncio.get_running_loop(), {})
    database = engine.url.database or ":memory:"
    lock = locks.get(database)
    if lock is None:
        lock = locks[database] = asyncio.Lock()
    async with lock:
        yield


@asynccontextmanager
async def write_session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in one write transaction, committed on success."""
    async with sessions() as session, _writer_turn(sessions.kw["bind"]), session.begin():
        await session.connection(execution_options={WRITE: True})
        yield session


@asynccontextmanager
async def write_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A Core connection in one write transaction, committed on success (no ORM on the way)."""
    async with _writer_turn(engine), engine.connect() as connection:
        await connection.execution_options(**{WRITE: True})
        async with connection.begin():
            yield connection


async def truncate_wal(engine: AsyncEngine) -> bool:
    """Copy the WAL back into the database file and empty it; False if a reader held it.

    After an erasure the WAL still holds the pages as they were before; with `secure_delete`
    the checkpoint writes zeros over the erased content in the database file itself.
    """
    if engine.dialect.name != "sqlite":
        return True
    async with _writer_turn(engine):
        pooled = await engine.raw_connection()
        connection = pooled.driver_connection
        try:
            # Not in SQLite's busy handler: it would stall the loop, and with it a reader of
            # this process that holds the WAL. The caller tries again after a turn instead.
            connection.execute("PRAGMA busy_timeout=0")
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
            pooled.close()
    return busy == 0


@asynccontextmanager
async def sqlite_write(engine: AsyncEngine) -> AsyncIterator[sqlite3.Connection]:
    """SQLite's own connection in one IMMEDIATE transaction, for a statement run on every update.

    About 20 microseconds where a Core transaction takes 300: the conversation state is
    written this way after each step (storage.fsm).
    """
    async with _writer_turn(engine):
        pooled = await engine.raw_connection()
        connection = pooled.driver_connection
        try:
            await _begin_immediate(connection)
            yield connection
            connection.execute("COMMIT")
        finally:
            # Also after a failed COMMIT: the pool does not roll back (pool_reset_on_return).
            if connection.in_transaction:
                connection.rollback()
            pooled.close()
