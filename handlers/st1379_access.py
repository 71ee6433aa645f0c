"""Who an ST1379 command is for: a journal that follows ST1379. A command in a chat without a
journal, or with one that doesn't follow ST1379, is answered in one place
(`not_for_this_journal`); an apprentice's employer, who has no journal of their own, is pointed
to what is theirs (/gateway, /statement)."""

from __future__ import annotations

from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import texts
from handlers.replies import reply
from journal.apprenticeship import FRAMEWORK
from storage import gateway as gateway_repo
from storage.models import Person, Portfolio


def follows_st1379(portfolio: Portfolio) -> bool:
    return any(pf.framework_id == FRAMEWORK for pf in portfolio.frameworks)


async def employer_text(
    sessions: async_sessionmaker[AsyncSession] | None, person: Person | None
) -> str:
    """For an employer of ST1379 apprentices without a journal of their own: what is theirs to
    do (/gateway, /statement); "" for anyone else."""
    if sessions is None or person is None:
        return ""
    async with sessions() as session:
        employed = await gateway_repo.employed(session, person)
        apprentices = [await session.get(Person, p.mentor_id) for p in employed]
    if not employed:
        return ""
    names = [texts.escape(a.name) for a in apprentices if a is not None and a.name]
    return texts.EMPLOYER_NOT_THEIRS.format(
        apprentices=", ".join(names) or texts.EMPLOYER_YOUR_APPRENTICE
    )


async def not_for_this_journal(
    message: Message,
    portfolio: Portfolio | None,
    only: str,
    none: str = texts.NEEDS_PORTFOLIO,
    *,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    person: Person | None = None,
) -> bool:
    """An ST1379 command in a chat without a journal (`none`, or for an apprentice's employer
    where to go instead) or with one that doesn't follow ST1379 (`only`) is answered here: True
    when the command should go no further."""
    if portfolio is None or not follows_st1379(portfolio):
        employer = await employer_text(sessions, person) if portfolio is None else ""
        await reply(message, employer or (none if portfolio is None else only))
        return True
    return False
