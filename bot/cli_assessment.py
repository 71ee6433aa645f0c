"""Command-line pieces of the assessment record (issue 10): a portfolio's mark-sheet details,
and the export of every portfolio an internal quality assurer sampled."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.settings import Settings


async def _details_async(settings: Settings, portfolio_id: int, values: dict[str, str]) -> str:
    from bot.app import build_services
    from storage.assessment import set_detail
    from storage.migrate import upgrade_async
    from storage.models import Portfolio

    await upgrade_async(settings.database_url)
    services = build_services(settings)
    try:
        async with services.sessions() as session, session.begin():
            portfolio = await session.get(Portfolio, portfolio_id)
            if portfolio is None:
                raise LookupError(f"There is no portfolio {portfolio_id}.")
            for field, value in values.items():
                await set_detail(session, portfolio_id, field, value)
            shown = {
                "Centre name": portfolio.centre_name,
                "Centre number": portfolio.centre_number,
                "Learner registration number": portfolio.learner_registration,
            }
        return "\n".join(f"{label}: {value or 'not recorded'}" for label, value in shown.items())
    finally:
        await services.engine.dispose()


def _details(args: argparse.Namespace, settings: Settings) -> int:
    values = {
        field: value
        for field, value in (
            ("centre_name", args.centre_name),
            ("centre_number", args.centre_number),
            ("learner_registration", args.learner_number),
        )
        if value is not None
    }
    try:
        print(asyncio.run(_details_async(settings, args.portfolio, values)))
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


async def _iqa_export_async(
    settings: Settings, telegram_id: int | None, person_id: int | None, fmt: str, out: Path
) -> list[tuple[int, Path]]:
    from bot.app import build_services
    from storage.assessment import sampled_by
    from storage.migrate import upgrade_async
    from storage.models import Person, Portfolio
    from storage.people import person_by_telegram

    await upgrade_async(settings.database_url)
    services = build_services(settings)
    try:
        async with services.sessions() as session:
            person = (
                await person_by_telegram(session, telegram_id)
                if telegram_id is not None
                else await session.get(Person, person_id or 0)
            )
            if person is None:
                raise LookupError("No such person.")
            portfolio_ids = await sampled_by(session, person.id)
            if not portfolio_ids:
                raise LookupError(f"{person.name or 'That person'} has sampled no portfolio.")
            followed = {
                pid: [pf.framework_id for pf in (await session.get(Portfolio, pid)).frameworks]
                for pid in portfolio_ids
            }
        now = services.clock()
        return [
            (pid, await services.exporter.build(pid, fmt, now, out, framework=framework))
            for pid, frameworks in followed.items()
            for framework in frameworks
        ]
    finally:
        await services.engine.dispose()


def _iqa_export(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        written = asyncio.run(
            _iqa_export_async(settings, args.telegram_id, args.person, args.format, out)
        )
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 2
    portfolios = len({pid for pid, _ in written})
    for _, path in written:
        print(f"Wrote {path}")
    print(f"{portfolios} portfolio{'s' if portfolios != 1 else ''} sampled, {len(written)} files.")
    return 0


def add_commands(commands: Any) -> None:
    """`mentorlog portfolio details --portfolio ID [--centre-name ...] [--centre-number ...]
    [--learner-number ...]`: set (or, with none given, show) what heads every mark sheet."""
    portfolio = commands.add_parser("portfolio", help="a portfolio's mark-sheet details")
    cmds = portfolio.add_subparsers(dest="portfolio_command", required=True)
    details = cmds.add_parser(
        "details", help="centre name and number, learner registration number (set once)"
    )
    details.add_argument("--portfolio", type=int, required=True)
    details.add_argument("--centre-name")
    details.add_argument("--centre-number")
    details.add_argument("--learner-number", help="the learner's registration number")
    details.set_defaults(run=_details)

    iqa = commands.add_parser("iqa", help="internal quality assurance")
    iqa_cmds = iqa.add_subparsers(dest="iqa_command", required=True)
    exp = iqa_cmds.add_parser(
        "export", help="the files of every portfolio an internal quality assurer sampled"
    )
    who = exp.add_mutually_exclusive_group(required=True)
    who.add_argument("--telegram-id", type=int)
    who.add_argument("--person", type=int, help="the person's id in mentorlog")
    exp.add_argument("--format", choices=("xlsx", "pdf", "zip"), default="zip")
    exp.add_argument("--out", required=True, help="the folder to write into")
    exp.set_defaults(run=_iqa_export)
