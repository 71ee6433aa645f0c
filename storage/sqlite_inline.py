"""SQLite for the asyncio engine, with each call made inline on the event loop's thread.

aiosqlite hands every DB-API call (execute, fetch, commit: about four per statement) to a
thread of its own and wakes the loop when it is done. A statement on a local WAL database takes
tens of microseconds, so those hand-overs cost more than the work: on the update benchmark
they took a third of the time. SQLAlchemy already builds and reads rows on the loop's thread
(in a greenlet); only the calls into SQLite itself move there too. The writers of this process
queue in the event loop before they begin (`storage.db`), so they never wait for each other
inside SQLite. Another process holding the file's write lock is waited for off the loop
(`begin_immediate`): BEGIN IMMEDIATE is tried without SQLite's busy wait, and again after
pauses in which the loop serves everyone else, until a bound; then `DatabaseBusy`.

Any `sqlite://` URL, `sqlite+aiosqlite://` included, runs this way (`storage.db.create_engine`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_

DRIVER = "sqlite+mentorlog_inline"
# SQLite's result codes for a lock held by another connection (busy) or in shared cache.
_LOCK_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_FIRST_PAUSE, _LONGEST_PAUSE = 0.002, 0.05


class DatabaseBusy(sqlite3.OperationalError):
    """Another process kept SQLite's write lock longer than a write waits: nothing was written."""


def is_busy(error: BaseException) -> bool:
    """Whether an error (sqlite3's own or SQLAlchemy's wrapper of it) is a lock held elsewhere."""
    cause = getattr(error, "orig", None) or error
    return isinstance(cause, sqlite3.OperationalError) and (
        isinstance(cause, DatabaseBusy)
        or getattr(cause, "sqlite_errorcode", None) in _LOCK_CODES
        or "database is locked" in str(cause)
    )


async def begin_immediate(
    connection: sqlite3.Connection, *, patience: float, busy_timeout_ms: int
) -> None:
    """BEGIN IMMEDIATE without waiting inside SQLite, where the whole event loop would wait.

    While another process holds the write lock, try again after a pause (2 ms, doubling up to
    50 ms) in which the loop runs every other chat; after `patience` seconds, `DatabaseBusy`.
    SQLite's busy timeout is off for the attempts and `busy_timeout_ms` again after them.
    """
    connection.execute("PRAGMA busy_timeout=0")
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        pause = _FIRST_PAUSE
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                if loop.time() + pause > deadline:
                    raise DatabaseBusy(
                        f"database is locked by another connection for over {patience:g} s"
                    ) from error
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
    finally:
        connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")


async def _done() -> None:
    """Nothing to wait for: awaited so that the asyncio layer sees the call was adapted."""


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """Rows stay with SQLite until they are fetched; there is no thread to release."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)


class SQLiteDialectInline(SQLiteDialect_pysqlite):
    driver = "mentorlog_inline"
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def connect(self, *cargs: Any, **cparams: Any) -> sqlite3.Connection:
        return super().connect(*cargs, factory=_Connection, **cparams)

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        cursor.execute(statement, parameters)
        await_(_done())

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        cursor.execute(statement)
        await_(_done())

    def do_executemany(
        self, cursor: Any, statement: str, parameters: Any, context: Any = None
    ) -> None:
        cursor.executemany(statement, parameters)
        await_(_done())


registry.register(DRIVER.replace("+", "."), __name__, SQLiteDialectInline.__name__)
