"""SQLite for the asyncio engine, with each call made inline on the event loop's thread.

aiosqlite hands every DB-API call (execute, fetch, commit: about four per statement) to a
thread of its own and wakes the loop when it is done. A statement on a local WAL database takes
tens of microseconds, so those hand-overs cost more than the work: on the update benchmark
they took a third of the time. SQLAlchemy already builds and reads rows on the loop's thread
(in a greenlet); only the calls into SQLite itself move there too. The writers of this process
queue in the event loop before they begin (`storage.db`), so they never wait for each other
inside SQLite; another process holding the file's write lock makes a call wait, with the
whole loop, for at most `storage.db.BUSY_SECONDS`.

Any `sqlite://` URL, `sqlite+aiosqlite://` included, runs this way (`storage.db.create_engine`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_

DRIVER = "sqlite+mentorlog_inline"


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
