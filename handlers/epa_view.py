"""What /epa shows (handlers.epa): the selection as it stands, its warnings, and one page of
the pieces to pick from, with the buttons that carry entry ids (never user text)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from exports import entry_title
from handlers import texts
from handlers.callbacks import Id
from handlers.keyboards import Button, keyboard
from journal.epa_selection import (
    PIECES,
    Range,
    candidates,
    discussion_gaps,
    missing_lines,
    page_of,
    range_warning,
    rule_tagged_only,
    selection,
)
from journal.frameworks.registry import Registry
from journal.snapshot import EntryRecord, PortfolioSnapshot
from journal.st1379_rules import ST1379
from journal.textnorm import shorten

BUTTON_TEXT = 56


class EpaCB(CallbackData, prefix="ep"):
    """`a`: t toggles entry `e`, p shows page `g`, l writes the next missing line, s skips the
    line of KSB `k` of entry `e`, w / o say entry `e` is a witness statement / an opinion,
    d closes."""

    a: str
    e: Id = 0
    g: Id = 0
    k: str = ""


def _label(entry: EntryRecord, chosen: bool) -> str:
    mark = "✅ " if chosen else "▫️ "
    text = f"{mark}{entry.ref} · {entry.occurred_on:%d %b} · {entry_title(entry, 80)}"
    return shorten(text, BUTTON_TEXT)


def overview(
    snapshot: PortfolioSnapshot, ids: dict[str, int], registry: Registry, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The selection as it stands, and one page of the pieces to pick from."""
    low, high = PIECES
    found = selection(snapshot)
    count = len(found.chosen)
    lines = [
        texts.EPA_HEAD.format(count=texts.count_of(count, "piece", "pieces"), low=low, high=high)
    ]
    warning = range_warning(count)
    if count and warning is Range.FEW:
        lines.append(texts.EPA_FEW.format(low=low))
    elif warning is Range.MANY:
        lines.append(texts.EPA_MANY.format(high=high))
    if count:
        lacking = missing_lines(found.chosen)
        lines.append(
            texts.EPA_LINES_MISSING.format(count=texts.count_of(len(lacking), "piece", "pieces"))
            if lacking
            else texts.EPA_LINES_DONE
        )
        framework = registry.get(ST1379)
        gaps = discussion_gaps(framework, found.chosen) if framework else ()
        lines.append(texts.EPA_GAPS.format(codes=", ".join(gaps)) if gaps else texts.EPA_NO_GAPS)
    offered = candidates(snapshot)
    rule_only = rule_tagged_only(snapshot)
    if rule_only:
        lines.append(
            texts.EPA_RULE_ONLY.format(count=texts.count_of(len(rule_only), "entry", "entries"))
        )
    rows: list[list[Button]] = []
    for ref, why in found.dropped:  # not offered any more: taken out from here
        if ref in ids:
            lines.append(texts.EPA_DROPPED.format(ref=ref, why=texts.EPA_DROPPED_WHY[why]))
            rows.append([(texts.EPA_TAKE_OUT.format(ref=ref), EpaCB(a="t", e=ids[ref]))])
    if not offered:
        lines.append(texts.EPA_NONE_OFFERED)
    else:
        shown, page, pages = page_of(offered, page)
        lines.append(texts.EPA_PAGE.format(page=page + 1, pages=pages))
        chosen = set(found.refs)
        rows += [
            [(_label(e, e.ref in chosen), EpaCB(a="t", e=ids[e.ref], g=page))]
            for e in shown
            if e.ref in ids
        ]
        nav: list[Button] = []
        if page > 0:
            nav.append((texts.EPA_PREV, EpaCB(a="p", g=page - 1)))
        if page + 1 < pages:
            nav.append((texts.EPA_NEXT, EpaCB(a="p", g=page + 1)))
        if nav:
            rows.append(nav)
    last: list[Button] = []
    if count:
        last.append((texts.EPA_WRITE_LINES, EpaCB(a="l")))
    last.append((texts.EPA_DONE, EpaCB(a="d")))
    rows.append(last)
    return "\n".join(lines), keyboard(rows)
