"""The `mentorlog` command line: run the bot, manage the database and frameworks, export."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import cli_apprenticeship, cli_assessment
from bot.settings import Settings
from journal.frameworks.loader import FrameworkError
from journal.frameworks.registry import import_framework, load_registry
from journal.frameworks.render import framework_line, framework_text, unit_text

# The bot, storage and exports are imported inside the commands that need them, so that
# `mentorlog frameworks ...` answers at once without loading aiogram and SQLAlchemy.


def _frameworks_list(args: argparse.Namespace, settings: Settings) -> int:
    for fw in load_registry(settings.frameworks_dir):
        print(framework_line(fw))
    return 0


def _frameworks_show(args: argparse.Namespace, settings: Settings) -> int:
    registry = load_registry(settings.frameworks_dir)
    fw = registry.get(args.framework)
    if fw is None:
        known = ", ".join(f.id for f in registry)
        print(f"No framework '{args.framework}'. Known: {known}", file=sys.stderr)
        return 2
    if args.unit is None:
        print(framework_text(fw))
        return 0
    unit = fw.unit(args.unit)
    if unit is None:
        codes = ", ".join(u.code for u in fw.units)
        print(f"{fw.id} has no unit '{args.unit}'. Units: {codes}", file=sys.stderr)
        return 2
    print(unit_text(fw, unit))
    return 0


def _frameworks_dump(args: argparse.Namespace, settings: Settings) -> int:
    frameworks = [fw.to_dict() for fw in load_registry(settings.frameworks_dir)]
    json.dump({"frameworks": frameworks}, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def _frameworks_import(args: argparse.Namespace, settings: Settings) -> int:
    fw = import_framework(Path(args.file), settings.frameworks_dir)
    print(f"Imported {framework_line(fw)}")
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    print("Database is up to date.")
    return 0


async def _export_async(
    settings: Settings, portfolio_id: int, fmt: str, out: Path, framework: str | None = None
) -> Path:
    from bot.app import build_services
    from bot.exporting import Format
    from storage.migrate import upgrade_async
    from storage.models import Portfolio

    await upgrade_async(settings.database_url)
    services = build_services(settings)
    try:
        async with services.sessions() as session:
            if await session.get(Portfolio, portfolio_id) is None:
                raise LookupError(f"There is no portfolio {portfolio_id}.")
        return await services.exporter.build(
            portfolio_id, Format(fmt), services.clock(), out, framework=framework
        )
    finally:
        await services.engine.dispose()


def _export(args: argparse.Namespace, settings: Settings) -> int:
    try:
        path = asyncio.run(
            _export_async(settings, args.portfolio, args.format, Path(args.out), args.framework)
        )
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Wrote {path}")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from exports.bundle import verify_bundle
    from exports.signing import SigningKeyError, fingerprint, read_public_key

    try:
        key = read_public_key(Path(args.public_key or settings.signing_key_file))
    except SigningKeyError as exc:
        print(f"No key to check the signature with: {exc}.", file=sys.stderr)
        if not args.public_key:
            print(
                "Give the centre's public key with --public-key FILE "
                "(the centre prints it with `mentorlog keys public`).",
                file=sys.stderr,
            )
        return 2
    problems = verify_bundle(Path(args.bundle), key)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{args.bundle}: intact, signed by the key {fingerprint(key)}")
    return 0


def _keys_public(args: argparse.Namespace, settings: Settings) -> int:
    from exports.signing import SigningKeyError, fingerprint, load_or_create_key, public_pem

    try:
        key = load_or_create_key(settings.signing_key_file).public_key()
    except SigningKeyError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(public_pem(key), end="")
    print(f"{fingerprint(key)} (the key in {settings.signing_key_file})", file=sys.stderr)
    return 0


async def _release_async(
    settings: Settings, person_id: int | None, telegram_id: int | None
) -> dict[str, Any] | None:
    from bot.app import build_services
    from storage import copies
    from storage.migrate import upgrade_async

    await upgrade_async(settings.database_url)
    services = build_services(settings)
    try:
        async with services.sessions() as session:
            person = await copies.find_person(session, person_id=person_id, telegram_id=telegram_id)
            if person is None:
                return None
            return await copies.written_about(session, person, services.clock())
    finally:
        await services.engine.dispose()


def _privacy_release(args: argparse.Namespace, settings: Settings) -> int:
    released = asyncio.run(_release_async(settings, args.person, args.telegram_id))
    if released is None:
        who = f"id {args.person}" if args.person is not None else f"Telegram id {args.telegram_id}"
        print(f"There is no person with {who}.", file=sys.stderr)
        return 2
    text = json.dumps(released, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"Wrote {args.out}")
    else:
        print(text)
    print("Read it before release: only the names mentorlog knows were redacted.", file=sys.stderr)
    return 0


def _privacy_retention(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_services
    from bot.logs import configure
    from bot.retention import run_retention
    from storage.migrate import upgrade_async

    if not settings.retention_days:
        print("RETENTION_DAYS is not set: nothing is past retention.", file=sys.stderr)
        return 2
    configure(settings.log_level, [settings.token or ""])

    async def once() -> None:
        await upgrade_async(settings.database_url)
        services = build_services(settings)
        try:
            await run_retention(services.sessions, settings, services.clock)
        finally:
            await services.engine.dispose()

    asyncio.run(once())
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    written = asyncio.run(run_demo(Path(args.out)))
    for path in written:
        print(f"Wrote {path}")
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run

    if not settings.token:
        print(
            "No BOT_TOKEN set: playing the offline demo instead "
            "(set BOT_TOKEN in .env to run the real bot).",
            file=sys.stderr,
        )
        return _demo(argparse.Namespace(out=args.demo_out), settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(settings))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorlog", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    runner = commands.add_parser("run", help="run the bot (the offline demo without a token)")
    runner.add_argument("--demo-out", default="demo", help="where the demo writes its files")
    runner.set_defaults(run=_run)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="create or upgrade the schema").set_defaults(run=_db_upgrade)

    fws = commands.add_parser("frameworks", help="assessment frameworks")
    fw_cmds = fws.add_subparsers(dest="frameworks", required=True)
    fw_cmds.add_parser("list", help="list the frameworks").set_defaults(run=_frameworks_list)
    show = fw_cmds.add_parser("show", help="show a framework or one unit of it")
    show.add_argument("framework")
    show.add_argument("unit", nargs="?")
    show.set_defaults(run=_frameworks_show)
    fw_cmds.add_parser("dump", help="all frameworks as JSON").set_defaults(run=_frameworks_dump)
    imp = fw_cmds.add_parser("import", help="add a centre's framework from YAML or CSV")
    imp.add_argument("file")
    imp.set_defaults(run=_frameworks_import)

    exp = commands.add_parser("export", help="build a portfolio's workbook, diary or bundle")
    exp.add_argument("--portfolio", type=int, required=True)
    exp.add_argument("--format", choices=["xlsx", "pdf", "zip"], required=True)
    exp.add_argument("--out", required=True)
    exp.add_argument(
        "--framework",
        help="the qualification the export is for (ilm, st1379, ecomentor or a centre's id); "
        "needed when the portfolio follows several",
    )
    exp.set_defaults(run=_export)

    ver = commands.add_parser("verify", help="check an evidence bundle and its signature")
    ver.add_argument("bundle")
    ver.add_argument(
        "--public-key", help="the centre's public key (PEM); default: the key of SIGNING_KEY_FILE"
    )
    ver.set_defaults(run=_verify)

    keys = commands.add_parser("keys", help="the centre's key that signs bundles")
    key_cmds = keys.add_subparsers(dest="keys", required=True)
    key_cmds.add_parser(
        "public", help="print the public key for assessors (the key is made on first use)"
    ).set_defaults(run=_keys_public)

    priv = commands.add_parser("privacy", help="a person's data and retention, for the centre")
    priv_cmds = priv.add_subparsers(dest="privacy", required=True)
    release = priv_cmds.add_parser(
        "release", help="what others wrote about a person, other people redacted (JSON)"
    )
    who = release.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", type=int, help="the person's id in mentorlog")
    who.add_argument("--telegram-id", type=int, help="the person's Telegram user id")
    release.add_argument("--out", help="write the JSON here instead of standard output")
    release.set_defaults(run=_privacy_release)
    priv_cmds.add_parser(
        "retention", help="apply RETENTION_DAYS now (the running bot does it daily)"
    ).set_defaults(run=_privacy_retention)

    demo = commands.add_parser(
        "demo", help="play a mentor through the bot offline, write the exports"
    )
    demo.add_argument("--out", default="demo")
    demo.set_defaults(run=_demo)
    cli_assessment.add_commands(commands)
    cli_apprenticeship.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        return args.run(args, settings)
    except FrameworkError as exc:
        print(f"Framework file rejected: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
