"""Several webhook workers from one command (README "Scale-out").

`mentorlog run` with WEBHOOK_URL and WORKERS=N becomes this supervisor: it upgrades the schema
and registers the webhook once, then starts N worker processes (`python -m bot.workers INDEX`),
worker i serving on WEBHOOK_PORT + i; the proxy in front lists them all. A worker that dies is
started again; SIGTERM (or Ctrl-C) is passed on to every worker, and each finishes the updates
in hand before it exits. Running N such workers under another supervisor (systemd, compose)
is the same: `python -m bot.workers INDEX` each, after one `mentorlog db upgrade`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from bot.app import build_bot, set_commands
from bot.settings import Settings
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)
RESTART_PAUSE_S = 0.5
STOP_WITHIN_S = 75.0


async def _spawn(index: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.workers", str(index))


async def supervise(settings: Settings) -> None:
    from bot.runner import set_webhook

    await upgrade_async(settings.database_url)
    bot = build_bot(settings)
    try:
        await set_commands(bot)
        await set_webhook(settings, bot)
    finally:
        await bot.session.close()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    workers = {i: await _spawn(i) for i in range(settings.workers)}
    log.info(
        "mentorlog started %d webhook workers on ports %d-%d",
        settings.workers,
        settings.webhook_port,
        settings.webhook_port + settings.workers - 1,
    )
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            exits = {asyncio.create_task(p.wait()): i for i, p in workers.items()}
            done, _ = await asyncio.wait({stopping, *exits}, return_when=asyncio.FIRST_COMPLETED)
            for task in exits:
                if task not in done:
                    task.cancel()
            if stop.is_set():
                break
            for task in done - {stopping}:
                index = exits[task]
                log.warning("worker %d exited with %s: starting it again", index, task.result())
                await asyncio.sleep(RESTART_PAUSE_S)
                workers[index] = await _spawn(index)
    finally:
        for process in workers.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                await asyncio.wait_for(process.wait(), STOP_WITHIN_S)
            except TimeoutError:
                process.kill()
                await process.wait()
        stopping.cancel()
        log.info("all workers stopped")


def main(argv: list[str]) -> int:
    from bot.runner import run

    index = int(argv[0])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(Settings(), worker=index))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
