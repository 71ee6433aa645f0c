"""`mentorlog apprenticeship`: the centre sets or shows an ST1379 apprentice's plan (start date,
planned end, planned off-the-job hours and the funding rules' minimum for the start date).

A minimum below the rules' floor of 187 hours is refused with the rule's message. Once the
employer confirmed the gateway the chat can no longer change the plan nor the EPA selection;
the centre still can correct a wrong date here. A new start date or minimum reopens the
gateway (it was checked against them), and says so: the employer confirms it again against
the corrected plan. `--reopen-gateway` reopens it without a change of the plan (the apprentice
must change the EPA selection)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from typing import Any

from bot.settings import Settings


async def _apprenticeship_async(settings: Settings, args: argparse.Namespace) -> str:
    from bot.app import build_services
    from handlers.apprenticeship import plan_text
    from journal.apprenticeship import FRAMEWORK, check_plan
    from journal.clock import utcnow
    from storage import apprenticeships as repo
    from storage import gateway as gateway_repo
    from storage.migrate import upgrade_async
    from storage.models import Portfolio

    await upgrade_async(settings.database_url)
    services = build_services(settings)
    try:
        async with services.sessions() as session, session.begin():
            portfolio = await session.get(Portfolio, args.portfolio)
            if portfolio is None:
                raise LookupError(f"There is no portfolio {args.portfolio}.")
            if FRAMEWORK not in {pf.framework_id for pf in portfolio.frameworks}:
                raise LookupError(f"Portfolio {args.portfolio} doesn't follow ST1379.")
            given = (args.start, args.end, args.planned_hours, args.minimum_hours)
            reopened = None
            if any(v is not None for v in given):
                current = await repo.get_plan(session, portfolio.id)
                if current is None and any(v is None for v in given):
                    raise LookupError(
                        "The first time, give --start, --end, --planned-hours and --minimum-hours."
                    )
                plan = check_plan(
                    date.fromisoformat(args.start) if args.start else current.start_on,
                    date.fromisoformat(args.end) if args.end else current.planned_end_on,
                    args.planned_hours if args.planned_hours is not None else current.planned_hours,
                    args.minimum_hours if args.minimum_hours is not None else current.minimum_hours,
                )
                gateway_checked = current is not None and (plan.start_on, plan.minimum_hours) != (
                    current.start_on,
                    current.minimum_hours,
                )
                await repo.set_plan(session, portfolio.id, plan, utcnow())
                if gateway_checked:
                    reopened = await gateway_repo.reopen(
                        session, portfolio.id, current.start_on, utcnow()
                    )
            if args.reopen_gateway and reopened is None:
                now_plan = await repo.get_plan(session, portfolio.id)
                if now_plan is not None:
                    reopened = await gateway_repo.reopen(
                        session, portfolio.id, now_plan.start_on, utcnow()
                    )
                if reopened is None:
                    raise LookupError(f"Portfolio {args.portfolio}'s gateway isn't confirmed.")
            shown = await repo.get_plan(session, portfolio.id)
        text = plan_text(shown).replace("<b>", "").replace("</b>", "")
        if reopened is not None:
            text += (
                "\nThe gateway confirmed before is reopened: the employer confirms it again "
                "(/gateway) against the plan as it is now."
            )
        return text
    finally:
        await services.engine.dispose()


def _apprenticeship(args: argparse.Namespace, settings: Settings) -> int:
    from journal.apprenticeship import PlanRefused

    try:
        print(asyncio.run(_apprenticeship_async(settings, args)))
    except (LookupError, ValueError) as exc:
        message = exc.message if isinstance(exc, PlanRefused) else str(exc)
        print(message, file=sys.stderr)
        return 2
    return 0


def add_commands(commands: Any) -> None:
    """`mentorlog apprenticeship --portfolio ID [--start YYYY-MM-DD] [--end YYYY-MM-DD]
    [--planned-hours N] [--minimum-hours N]`: set (or, with none given, show) the plan."""
    cmd = commands.add_parser(
        "apprenticeship", help="an ST1379 apprentice's dates and off-the-job hours"
    )
    cmd.add_argument("--portfolio", type=int, required=True)
    cmd.add_argument("--start", help="start date, YYYY-MM-DD")
    cmd.add_argument("--end", help="planned end date, YYYY-MM-DD")
    cmd.add_argument("--planned-hours", type=int, help="planned off-the-job training hours")
    cmd.add_argument(
        "--minimum-hours",
        type=int,
        help="the funding rules' minimum for the start date (at least 187)",
    )
    cmd.add_argument(
        "--reopen-gateway",
        action="store_true",
        help="reopen a confirmed gateway (the employer confirms it again)",
    )
    cmd.set_defaults(run=_apprenticeship)
