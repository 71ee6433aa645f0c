"""Webhook workers behind a real nginx, with real Redis and PostgreSQL, for the scale-out tests.

`.ci/run` installs and starts what it can and exports where to find it:

- `MENTORLOG_TEST_SCALE_POSTGRES_URL`: an empty database of the tests' own (its schema is
  dropped and made again by each test);
- `MENTORLOG_TEST_REDIS_SERVER`, `MENTORLOG_TEST_NGINX`: the server binaries (found on PATH
  and in /usr/sbin otherwise). Each test starts its own redis-server and nginx on free ports
  of 127.0.0.1 under its temporary folder, so a test can restart them.

`WebhookBot` is `mentorlog run` with WORKERS=N (one supervisor, N workers). `WebhookClient` has
the `send` / `click` of `tests.running.ProcessClient`, but posts each update to nginx as
Telegram does, sending it again after an error or a dropped connection until it gets a 200.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.fake_bot_api import FakeBotApi
from tests.running import ANSWER_WITHIN_S, ProcessClient, Reply, RunningBot

WEBHOOK_SECRET = "webhook-secret-that-must-not-be-logged"


def _binary(env: str, name: str) -> str | None:
    found = os.environ.get(env) or shutil.which(name)
    if not found and Path(f"/usr/sbin/{name}").exists():
        found = f"/usr/sbin/{name}"
    return found


def missing_servers() -> list[str]:
    """What the scale-out tests need and this machine lacks (for the skip reason)."""
    missing = []
    if not os.environ.get("MENTORLOG_TEST_SCALE_POSTGRES_URL"):
        missing.append("PostgreSQL (MENTORLOG_TEST_SCALE_POSTGRES_URL)")
    if not _binary("MENTORLOG_TEST_REDIS_SERVER", "redis-server"):
        missing.append("redis-server")
    if not _binary("MENTORLOG_TEST_NGINX", "nginx"):
        missing.append("nginx")
    try:
        import asyncpg  # noqa: F401
        import pyrate_limiter  # noqa: F401
        import redis  # noqa: F401
    except ImportError as err:
        missing.append(f"the scale extra ({err.name}; pip install -e '.[scale]')")
    return missing


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports on 127.0.0.1."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65000:
            continue
        if all(_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def _wait_port(port: int, within: float = 20) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def reset_postgres(url: str) -> None:
    """An empty schema for one test."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


class Server:
    """A server process of the test's own."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0

    async def _exec(self, *argv: str) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        await _wait_port(self.port)

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(sig)
            await asyncio.wait_for(self.process.wait(), 20)
        self.process = None


class RedisServer(Server):
    """redis-server with an append-only file (state survives its restart, as deployed)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> RedisServer:
        self.port = self.port or free_ports(1)
        binary = _binary("MENTORLOG_TEST_REDIS_SERVER", "redis-server")
        assert binary
        await self._exec(
            binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.folder),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
        )  # fmt: skip
        return self

    async def restart(self) -> None:
        await self.stop()
        await self.start()


def postgres_bindir() -> str | None:
    """Where PostgreSQL's server binaries (initdb, pg_ctl, postgres) are, if installed."""
    found = os.environ.get("MENTORLOG_TEST_PG_BINDIR")
    if not found and (pg_config := shutil.which("pg_config")):
        asked = subprocess.run([pg_config, "--bindir"], capture_output=True, check=False)  # noqa: S603
        found = asked.stdout.decode().strip()
    if not found or not Path(found, "pg_ctl").exists():
        installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
        found = str(installed[0].parent) if installed else None
    return found if found and Path(found, "initdb").exists() else None


class PostgresServer:
    """A throwaway PostgreSQL cluster of the caller's own (initdb, ~2 s) on a free port, so that
    it can be restarted or stopped without touching anyone else's server. As root the server
    runs as the `postgres` user (PostgreSQL refuses root); its folder is then a fresh one under
    /tmp that user owns. No fsync: the data is thrown away."""

    def __init__(self) -> None:
        bindir = postgres_bindir()
        assert bindir, "no PostgreSQL server binaries"
        self.bindir = Path(bindir)
        self.folder = Path(tempfile.mkdtemp(prefix="mentorlog-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://mentorlog@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    async def _run(self, *argv: str) -> None:
        done = await asyncio.to_thread(
            subprocess.run, [*self._as, *argv], capture_output=True, check=False, timeout=60
        )
        if done.returncode:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.decode(errors='replace')[-2000:]}")

    async def start(self) -> PostgresServer:
        if not self.data.exists():
            await self._run(
                str(self.bindir / "initdb"), "-D", str(self.data), "-U", "mentorlog",
                "--auth=trust", "-N", "-E", "UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        self.port = self.port or free_ports(1)
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        await self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
            "-o", options, "-w", "-t", "30", "start",
        )  # fmt: skip
        await _wait_port(self.port)
        return self

    async def stop(self, mode: str = "fast") -> None:
        if self.pid is not None:
            pg_ctl = str(self.bindir / "pg_ctl")
            await self._run(pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")

    async def restart(self, mode: str = "fast") -> None:
        await self.stop(mode)
        await self.start()

    async def remove(self) -> None:
        await self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class Nginx(Server):
    """nginx in front of the workers, configured as deploy/nginx.conf (round robin, the next
    worker tried when one fails, health checks passive)."""

    def __init__(self, folder: Path, worker_ports: list[int]) -> None:
        super().__init__()
        self.folder = folder
        self.worker_ports = worker_ports
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        upstreams = "\n".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in self.worker_ports
        )
        user = "user root;" if os.geteuid() == 0 else ""
        return f"""
{user}
daemon off;
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {self.folder}/body;
  proxy_temp_path {self.folder}/proxy;
  fastcgi_temp_path {self.folder}/fastcgi;
  uwsgi_temp_path {self.folder}/uwsgi;
  scgi_temp_path {self.folder}/scgi;
  upstream mentorlog_workers {{
{upstreams}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location = {WEBHOOK_PATH} {{
      proxy_pass http://mentorlog_workers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_read_timeout 65s;
    }}
  }}
}}
"""

    async def start(self) -> Nginx:
        self.port = self.port or free_ports(1)
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config())
        binary = _binary("MENTORLOG_TEST_NGINX", "nginx")
        assert binary
        await self._exec(binary, "-p", str(self.folder), "-c", str(conf))
        return self


class WebhookBot(RunningBot):
    """`mentorlog run` in webhook mode with `workers` worker processes behind `nginx_url`."""

    def __init__(
        self,
        root: Path,
        api: FakeBotApi,
        *,
        database_url: str,
        redis_url: str,
        workers: int,
        base_port: int,
        nginx_url: str,
        **env: str,
    ) -> None:
        super().__init__(
            root,
            api,
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            WORKERS=str(workers),
            WEBHOOK_URL=nginx_url,
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(base_port),
            REDIS_LOCK_SECONDS="2",
            **env,
        )
        self.workers = workers
        self.base_port = base_port
        self.nginx_url = nginx_url
        self.served: dict[int, list[str]] = {}
        self._lines_at_start = 0

    async def start(self) -> WebhookBot:
        self._lines_at_start = len(self.lines)
        await super().start()
        return self

    def _polling(self) -> bool:  # here: every worker is serving
        return self.serving() >= self.workers

    def serving(self) -> int:
        return sum("is serving its webhook" in line for line in self.lines[self._lines_at_start :])

    def worker_pid(self, update_id: int) -> int | None:
        """The pid of the worker that logged taking `update_id` last."""
        pattern = re.compile(rf"worker-\d+\[(\d+)\] bot\.webhook: webhook: update {update_id}$")
        for line in reversed(self.lines):
            if found := pattern.search(line):
                return int(found.group(1))
        return None

    def takers(self, update_id: int) -> list[int]:
        pattern = re.compile(rf"worker-\d+\[(\d+)\] bot\.webhook: webhook: update {update_id}$")
        return [int(m.group(1)) for line in self.lines if (m := pattern.search(line))]

    def problems(self) -> list[str]:
        return [line for line in super().problems() if WEBHOOK_SECRET not in line] + [
            line for line in self.lines if WEBHOOK_SECRET in line
        ]

    def webhook_client(self, first_name: str, user_id: int) -> WebhookClient:
        from aiogram.types import User

        user = User(id=user_id, is_bot=False, first_name=first_name, language_code="en")
        return WebhookClient(self.api, user, self.handled, bot=self)


@dataclass
class WebhookClient(ProcessClient):
    """A user whose updates Telegram posts to the proxy (see the module's text)."""

    bot: WebhookBot | None = None
    workers_seen: list[str] = field(default_factory=list)

    def new_update(self, update: dict[str, Any]) -> dict[str, Any]:
        self.api._last_update_id += 1
        return {"update_id": self.api._last_update_id, **update}

    async def post(self, update: dict[str, Any], within: float = ANSWER_WITHIN_S) -> str:
        """Post until a 200, as Telegram does; returns the worker that answered it."""
        assert self.bot is not None
        deadline = time.monotonic() + within
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.post(
                        self.bot.nginx_url + WEBHOOK_PATH, json=update, headers=headers
                    ) as response:
                        if response.status == 200:
                            worker = response.headers.get("X-Mentorlog-Worker", "?")
                            self.bot.served.setdefault(update["update_id"], []).append(worker)
                            return worker
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"update {update['update_id']} never got a 200")
                await asyncio.sleep(0.2)

    async def feed(self, update: dict[str, Any]) -> Reply:
        mark = len(self.api.calls)
        pushed = self.new_update(update)
        self.workers_seen.append(await self.post(pushed))
        query = pushed.get("callback_query")
        query_id = query["id"] if query else None
        mine = [(m, p) for m, p in self.api.calls[mark:] if self._answers(m, p, query_id)]
        self.last = Reply([_method(m, p) for m, p in mine])
        return self.last


def _method(name: str, payload: dict[str, Any]) -> Any:
    from tests.running import _method as method

    return method(name, payload)
