"""Command-line pieces of the assessment record (issue 10): a portfolio's mark-sheet details."""

from __future__ import annotations

import argparse
import asyncio
import sys
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
