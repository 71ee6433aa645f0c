"""The ST1379 end-point assessment gateway, as a checklist kept from the data (seed 002,
"EPA gateway" and "Qualifications"):

- **On programme**: "All apprentices must spend at least 12 months on-programme"
  (journal.apprenticeship.on_programme_met);
- **Off-the-job training**: "the required amount of off-the-job training specified by the
  apprenticeship funding rules": the plan's minimum, reached with hours the employer confirmed;
- **English and maths**: "achieved English and maths qualifications in line with the
  apprenticeship funding rules", recorded by the apprentice or the employer for each subject
  with the alternative of the seed it meets (ALTERNATIVES, word for word);
- **The employer's decision**: "The apprentice's employer must confirm that they think their
  apprentice is working at or above the occupational standard ... the employer must make the
  decision": recorded by the employer, who and when;
- **The statement**: the employer and apprentice statement, both confirmed for the evidence as
  it is now (journal.statement);
- **Portfolio ready**: "the apprentice must submit: portfolio of evidence": an input here
  (journal.epa_selection.portfolio_ready decides it: the apprentice's selection, its KSB lines,
  the discussion's KSBs and two mentees; `pieces_readiness` counts pieces where no framework
  data is at hand).

The statement covers the evidence the gateway portfolio exports (`evidence_pieces`): the
apprentice's EPA selection once there is one, else every piece of evidence.

The employer then confirms the gateway itself ("has the evidence required to pass the gateway
and is ready to take the EPA"): only once every item is met; the day is the gateway date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from journal.apprenticeship import Plan, anniversary, on_programme_met
from journal.epa_selection import portfolio_ready, selection
from journal.frameworks.model import Framework
from journal.portfolio_rules import apply_rules, one_qualification
from journal.snapshot import EntryRecord, PortfolioSnapshot
from journal.st1379_rules import PIECES, ST1379, st1379_pieces
from journal.statement import StatementState, fingerprint


class Item(StrEnum):
    ON_PROGRAMME = "on_programme"
    OTJ = "otj"
    ENGLISH_MATHS = "english_maths"
    DECISION = "decision"
    STATEMENT = "statement"
    PORTFOLIO = "portfolio"


ITEMS = tuple(Item)

# "Qualifications: English and Maths" of the seed, each alternative word for word.
ALTERNATIVES: dict[str, str] = {
    "level2": (
        "Apprentices without level 2 English and maths will need to achieve this level prior "
        "to taking the End-Point Assessment."
    ),
    "entry3": (
        "For those with an education, health and care plan or a legacy statement, the "
        "apprenticeship’s English and maths minimum requirement is Entry Level 3."
    ),
    "bsl": (
        "A British Sign Language (BSL) qualification is an alternative to the English "
        "qualification for those whose primary language is BSL."
    ),
}
# BSL stands in for the English qualification only.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "english": ("level2", "entry3", "bsl"),
    "maths": ("level2", "entry3"),
}


def basis_allowed(subject: str, basis: str) -> bool:
    return basis in SUBJECTS.get(subject, ())


@dataclass(frozen=True)
class Recorded:
    """Something a person recorded: who (their name), their role, when, and what."""

    who: str
    role: str
    at: datetime
    value: str = ""


@dataclass(frozen=True)
class PortfolioReadiness:
    ready: bool
    pieces: int
    missing: tuple[str, ...] = ()  # what is not ready, one plain-English item each
    low: int = PIECES[0]
    high: int = PIECES[1]


@dataclass(frozen=True)
class GatewayFacts:
    plan: Plan | None
    today: date
    confirmed_minutes: int
    english: Recorded | None
    maths: Recorded | None
    decision: Recorded | None
    statement: StatementState
    portfolio: PortfolioReadiness
    gateway: Recorded | None = None
    gateway_on: date | None = None
    # The centre reopened the gateway confirmed before (a corrected plan): confirmed again next.
    reopened: Recorded | None = None


@dataclass(frozen=True)
class Checklist:
    met: dict[Item, bool]
    facts: GatewayFacts
    missing: tuple[Item, ...] = field(default=())

    @property
    def ready(self) -> bool:
        """Every item met: the employer may confirm the gateway."""
        return not self.missing

    @property
    def confirmed(self) -> bool:
        return self.facts.gateway is not None

    @property
    def changed_since(self) -> tuple[Item, ...]:
        """Items met when the employer confirmed the gateway (it needs every one) that are not
        met now: evidence edited (the statement out of date), hours no longer confirmed. The
        plan and the EPA selection are locked; these are shown, not hidden."""
        return self.missing if self.confirmed else ()

    @property
    def on_programme_from(self) -> date | None:
        return anniversary(self.facts.plan.start_on) if self.facts.plan else None


def checklist(facts: GatewayFacts) -> Checklist:
    plan = facts.plan
    met = {
        Item.ON_PROGRAMME: plan is not None and on_programme_met(plan.start_on, facts.today),
        Item.OTJ: plan is not None and facts.confirmed_minutes >= plan.minimum_minutes,
        Item.ENGLISH_MATHS: facts.english is not None and facts.maths is not None,
        Item.DECISION: facts.decision is not None,
        Item.STATEMENT: facts.statement.complete,
        Item.PORTFOLIO: facts.portfolio.ready,
    }
    missing = tuple(item for item in ITEMS if not met[item])
    return Checklist(met=met, facts=facts, missing=missing)


# --- What the portfolio holds (the evidence the statement confirms) ------------------------------


def evidence_pieces(snapshot: PortfolioSnapshot) -> list[EntryRecord]:
    """The pieces of evidence the ST1379 gateway portfolio exports: the apprentice's selection
    once there is one, else every piece (journal.st1379_rules.st1379_pieces of the export's
    view). What the statement confirms and the fingerprint covers."""
    view = apply_rules(one_qualification(snapshot, ST1379))
    chosen = selection(view)
    if chosen.exists:
        return [c.entry for c in chosen.chosen]
    return st1379_pieces(view)


def evidence_fingerprint(snapshot: PortfolioSnapshot) -> str:
    return fingerprint(evidence_pieces(snapshot))


def selection_readiness(snapshot: PortfolioSnapshot, framework: Framework) -> PortfolioReadiness:
    """The EPA selection's readiness (journal.epa_selection.portfolio_ready)."""
    found = portfolio_ready(snapshot, framework)
    count = len(selection(snapshot).chosen)
    return PortfolioReadiness(ready=found.ready, pieces=count, missing=found.missing)


def pieces_readiness(pieces: int) -> PortfolioReadiness:
    """Without an EPA selection: ready when the pieces are within the plan's typical range."""
    low, high = PIECES
    return PortfolioReadiness(ready=low <= pieces <= high, pieces=pieces)
