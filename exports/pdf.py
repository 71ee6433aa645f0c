"""The mentoring diary (.pdf): sessions in order under the ILM diary headings, with running hours.

Each hours unit of the portfolio's frameworks (ILM D3.06, D3.07, and D3.03/D3.04 when sessions
were tagged to them, see journal.hours) gets a part with the two headings of its assessment
task. The mark sheets' section titles are those headings word for word (seed 004: D3.06
"Planning and organising mentoring sessions" and "Reflections on the effectiveness of coaching
activity"; D3.07 "Planning and undertaking coaching sessions" and "Reflections on your
development as a mentor"), so they are read from `extra.mark_sheets`. A portfolio without
hours units gets one part with plain headings.

fpdf2's own multi_cell measures every line character by character again for each character
it adds (about 4 ms a paragraph): 2,000 entries took half a minute. The diary therefore
wraps text itself with the font's width table and writes each line as one PDF text object
(`_Writer.draw`), which brings the same diary under a second.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.fonts import TTFFont
from fpdf.util import escape_parens

from exports import (
    ExportView,
    SessionNotes,
    as_text,
    confirmation_line,
    day,
    export_view,
    feedback_line,
    framework_line,
    kind_label,
    partial_file,
    period_text,
    shown,
    utc_time,
)
from journal.entries import FIELDS, GOAL_STATUSES, SESSION_FORMATS, SESSION_MODES, Field, Kind
from journal.frameworks.model import Framework, Unit
from journal.frameworks.registry import Registry
from journal.hours import (
    UnitHours,
    format_hours,
    format_minutes,
    hours_rule,
    progress_text,
    unit_hours,
    units_in_use,
)
from journal.portfolio_rules import Status
from journal.snapshot import EntryRecord, GoalRecord, PortfolioSnapshot

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVuSans"
MARGIN = 18.0
TOP = 20.0
BOTTOM = 16.0
LABEL_WIDTH = 32.0
BODY = 9.5
LINE = 4.6
PT = 25.4 / 72  # millimetres in a point
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CACHED_TEXT = 40  # texts up to this length keep their measured width
DEFAULT_HEADINGS = ("Mentoring sessions", "Reflections, supervision and feedback")


class _Writer:
    """Wraps and draws text from the top of A4 pages down, adding pages as it goes."""

    def __init__(self, running_head: str) -> None:
        self.running_head = running_head
        self.pdf = pdf = FPDF(format="A4")
        pdf.set_margins(MARGIN, TOP, MARGIN)
        pdf.set_auto_page_break(False)  # the writer breaks pages itself, line by line
        pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        pdf.set_creator("mentorlog")
        self.fonts: dict[str, TTFFont] = {s: pdf.fonts[FONT.lower() + s] for s in ("", "B")}
        self.known = frozenset(map(chr, set(self.fonts[""].cmap) & set(self.fonts["B"].cmap)))
        self.glyphs: dict[str, dict[int, str]] = {style: {} for style in self.fonts}
        self.seen: dict[str, set[str]] = {style: set() for style in self.fonts}
        self.widths: dict[tuple[str, str], float] = {}
        self.wrapped: dict[tuple[str, str, float, float], list[str]] = {}

    def close(self) -> None:
        """Close the font files (fpdf2 does on output; a writer never output must itself)."""
        for font in self.fonts.values():
            font.close()

    def new_page(self) -> None:
        """A page with the candidate and framework on top (page numbers come at the end)."""
        pdf = self.pdf
        pdf.add_page()
        head = self.wrap(self.running_head, "", 7.5, pdf.epw)[0]
        self.draw(MARGIN, 9, head, "", 7.5, grey=True)
        pdf.set_draw_color(150)
        pdf.line(MARGIN, 14, pdf.w - MARGIN, 14)
        pdf.y = TOP

    def number_pages(self) -> None:
        """'Page 3 of 12' under every page, once the number of pages is known."""
        pdf, last = self.pdf, self.pdf.page
        for number in range(1, last + 1):
            pdf.page = number  # fpdf2 writes to an earlier page when `page` is set back
            text = f"Page {number} of {last}"
            x = (pdf.w - self.width(text, "", 7.5)) / 2
            self.draw(x, pdf.h - 11, text, "", 7.5, grey=True)
        pdf.page = last

    def clean(self, text: str) -> str:
        """Drop what the font cannot draw (emoji, control characters) instead of failing."""
        text = _CONTROL.sub("", text.replace("\t", " ").replace("\r", ""))
        unknown = set(text) - self.known
        return text.translate(dict.fromkeys(map(ord, unknown - {"\n"}))) if unknown else text

    def width(self, text: str, style: str, size: float) -> float:
        key = (style, text)
        units = self.widths.get(key)
        if units is None:
            cw = self.fonts[style].cw
            units = sum(cw[ord(c)] for c in text)
            if len(text) <= CACHED_TEXT:  # words repeat; a long text is measured once
                self.widths[key] = units
        return units * size / 1000 * PT

    def wrap(self, text: str, style: str, size: float, width: float) -> list[str]:
        key = (text, style, size, width)  # a session is drawn once per unit it counts toward
        found = self.wrapped.get(key)
        if found is None:
            found = self.wrapped[key] = self._wrap(text, style, size, width)
        return found

    def _wrap(self, text: str, style: str, size: float, width: float) -> list[str]:
        lines: list[str] = []
        space = self.width(" ", style, size)
        for paragraph in self.clean(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split():
                w = self.width(word, style, size)
                if line and used + space + w <= width:
                    line, used = f"{line} {word}", used + space + w
                    continue
                if line:
                    lines.append(line)
                if w > width:  # a word longer than the line: cut it
                    *full, word = self._cut(word, style, size, width)
                    lines += full
                    w = self.width(word, style, size)
                line, used = word, w
            lines.append(line)
        return lines

    def _cut(self, word: str, style: str, size: float, width: float) -> list[str]:
        """A word longer than the line in pieces that fit (at least a character each).

        Each character is measured once, into running widths; each piece's end is found by
        binary search over them. Shortening the word a character at a time and measuring
        every prefix took quadratic time and memory: 40 words of 3,000 letters took minutes
        and gigabytes.
        """
        cw, scale = self.fonts[style].cw, size / 1000 * PT
        ends = list(itertools.accumulate(cw[ord(c)] for c in word))
        pieces: list[str] = []
        start, base = 0, 0
        while start < len(word):
            end = bisect.bisect_right(ends, width, start, key=lambda u: (u - base) * scale)
            end = max(end, start + 1)
            pieces.append(word[start:end])
            start, base = end, ends[end - 1]
        return pieces

    def room(self, height: float) -> None:
        if self.pdf.y + height > self.pdf.h - BOTTOM:
            self.new_page()

    def draw(
        self, x: float, top: float, text: str, style: str, size: float, grey: bool = False
    ) -> None:
        """Black text at (x, top): what FPDF.text does, without its per-character Python work.

        fpdf2 picks every character for the font subset one by one and re-selects the font
        on each switch between label and value; here each character is picked once, lines are
        encoded with str.translate, and each text object names its own font.
        """
        pdf, font = self.pdf, self.fonts[style]
        table, seen = self.glyphs[style], self.seen[style]
        for char in set(text) - seen:
            picked = font.subset.pick(ord(char))
            table[ord(char)] = "" if picked is None else chr(picked)
            seen.add(char)
        encoded = escape_parens(text.translate(table).encode("utf-16-be").decode("latin-1"))
        pdf._resource_catalog.add(PDFResourceType.FONT, font.i, pdf.page)
        x_pt, y_pt = x * pdf.k, (pdf.h - top - size * PT * 0.85) * pdf.k
        shown = f"BT /F{font.i} {size:.2f} Tf {x_pt:.2f} {y_pt:.2f} Td ({encoded}) Tj ET"
        pdf._out(f"q 0.35 g {shown} Q" if grey else shown)

    def lines(self, lines: Sequence[str], x: float, style: str, size: float, step: float) -> None:
        for line in lines:
            self.room(step)
            if line:
                self.draw(x, self.pdf.y, line, style, size)
            self.pdf.y += step

    def paragraph(self, text: str, style: str = "", size: float = BODY, indent: float = 0) -> None:
        width = self.pdf.epw - indent
        self.lines(self.wrap(text, style, size, width), MARGIN + indent, style, size, size * 0.48)

    def heading(self, text: str, size: float, level: int) -> None:
        self.room(size * 0.48 + 14)  # never a heading alone at the foot of a page
        self.pdf.y += size * 0.3
        self.pdf.start_section(self.clean(text)[:120], level=level)
        self.paragraph(text, "B", size)
        self.pdf.y += 1.2

    def field(self, label: str, value: str) -> None:
        value = value.strip()
        if not value:
            return
        labels = self.wrap(label, "B", BODY - 1, LABEL_WIDTH - 2)
        values = self.wrap(value, "", BODY, self.pdf.epw - LABEL_WIDTH)
        for i in range(max(len(labels), len(values))):
            self.room(LINE)
            if i < len(labels) and labels[i]:
                self.draw(MARGIN, self.pdf.y, labels[i], "B", BODY - 1)
            if i < len(values) and values[i]:
                self.draw(MARGIN + LABEL_WIDTH, self.pdf.y, values[i], "", BODY)
            self.pdf.y += LINE

    def gap(self, height: float = 2.5) -> None:
        self.pdf.y += height


@dataclass(frozen=True)
class _Part:
    """One unit's diary (or the whole diary when no framework counts hours)."""

    title: str
    subtitle: str
    headings: tuple[str, str]
    hours: UnitHours | None
    entries: tuple[EntryRecord, ...]
    goals: tuple[GoalRecord, ...]


def build_diary(snapshot: PortfolioSnapshot, registry: Registry, out_path: Path) -> Path:
    """Write the mentoring diary to `out_path`."""
    return write_diary(export_view(snapshot, registry), out_path)


def write_diary(view: ExportView, out_path: Path) -> Path:
    names = "; ".join(f.title for f in view.frameworks) or "no framework"
    writer = _Writer(f"Mentoring diary · {view.snapshot.candidate} · {names}")
    writer.pdf.set_title(f"Mentoring diary: {view.snapshot.candidate}")
    writer.new_page()
    _front(writer, view)
    notes = SessionNotes.of(view)
    for part in _parts(view):
        _write_part(writer, part, notes)
    writer.number_pages()
    with partial_file(out_path) as partial:
        writer.pdf.output(str(partial))
    return Path(out_path)


def _front(w: _Writer, view: ExportView) -> None:
    s = view.snapshot
    w.paragraph("Mentoring diary", "B", 18)
    w.gap(2)
    w.field("Candidate", s.candidate)
    w.field("Frameworks", "\n".join(framework_line(f) for f in view.frameworks))
    w.field("Period", period_text(s))
    w.field("Generated", utc_time(s.generated_at))
    if s.anonymised:
        w.field("Anonymised", "Mentees appear as Mentee A, Mentee B ...")
    for fw in view.frameworks:
        for unit in units_in_use(unit_hours(s, fw), fw):
            w.field(f"Hours {unit.unit_code}", progress_text(unit))
    failed = [c for c in view.checks if c.status != Status.PASSED]
    if failed:
        w.gap()
        w.paragraph("Checks still open", "B", BODY + 1)
        for check in failed:
            w.paragraph(f"• {check.framework_id}: {check.message}", indent=3)


def _parts(view: ExportView) -> list[_Part]:
    entries = tuple(view.entries_in_order)
    parts = []
    for fw in view.frameworks:
        rule = hours_rule(fw)
        hours = {u.unit_code: u for u in unit_hours(view.snapshot, fw)}
        members: dict[str, list[EntryRecord]] = {u.code: [] for u in rule.units}
        for e in entries:
            for unit in rule.units_for(e.tags):
                members[unit.code].append(e)
        goal_units = {e.ref: rule.units_for(e.tags) for e in entries if e.kind == Kind.GOAL}
        in_use = {u.unit_code for u in units_in_use(hours.values(), fw)}
        for unit in (u for u in rule.units if u.code in in_use):
            goals = tuple(
                g for g in view.snapshot.goals if unit in goal_units.get(g.ref, rule.defaults)
            )
            parts.append(_unit_part(fw, unit, hours[unit.code], tuple(members[unit.code]), goals))
    if not parts:
        parts.append(
            _Part("Mentoring sessions", "", DEFAULT_HEADINGS, None, entries, view.snapshot.goals)
        )
    return parts


def _unit_part(
    fw: Framework,
    unit: Unit,
    hours: UnitHours,
    entries: tuple[EntryRecord, ...],
    goals: tuple[GoalRecord, ...],
) -> _Part:
    sheet = next((s for s in fw.extra.get("mark_sheets") or [] if s.get("unit") == unit.code), None)
    sections = [s["title"] for s in sheet["sections"]] if sheet else []
    headings = (sections[0], sections[-1]) if len(sections) >= 2 else DEFAULT_HEADINGS
    minimum = f"at least {format_hours(unit.min_hours or 0)}"
    subtitle = " · ".join(x for x in (unit.assessment, minimum) if x)
    return _Part(f"{unit.code} {unit.title}", subtitle, headings, hours, entries, goals)


def _write_part(w: _Writer, part: _Part, notes: SessionNotes) -> None:
    w.new_page()
    w.heading(part.title, 14, 0)
    if part.subtitle:
        w.paragraph(part.subtitle)
    planning, reflecting = part.headings
    w.heading(planning, 12, 1)
    for e in part.entries:
        if e.kind == Kind.CONTRACT:
            _write_entry(w, e)
    for g in part.goals:
        _write_goal(w, g)
    for e in part.entries:
        if e.kind == Kind.SESSION:
            _write_session(w, e, part.hours, notes)
    w.heading(reflecting, 12, 1)
    w.paragraph(_summary(part))
    w.gap()
    for e in part.entries:
        if e.kind in (Kind.REFLECTION, Kind.SUPERVISION) or (
            e.kind == Kind.FEEDBACK and e.ref not in notes.placed_feedback
        ):
            _write_entry(w, e)
    for c in notes.loose_confirmations:
        _block_title(w, f"Supervisor confirmation · {day(c.confirmed_at.date())}")
        w.field("Confirmed", confirmation_line(c))
        w.gap()


def _summary(part: _Part) -> str:
    sessions = [e for e in part.entries if e.kind == Kind.SESSION]
    mentees = {m for e in sessions for m in e.mentees}
    minutes = sum(e.duration_minutes or 0 for e in sessions)
    text = (
        f"{_count(len(sessions), 'session')}, {format_minutes(minutes)}, "
        f"with {_count(len(mentees), 'mentee')}."
    )
    hours = part.hours
    if hours is None:
        return text
    reached = next((s for s in hours.sessions if s.running_minutes >= hours.minimum_minutes), None)
    if reached:
        when = f"reached on {day(reached.occurred_on)} ({reached.ref})"
        return f"{text} The minimum of {format_hours(hours.min_hours)} was {when}."
    to_go = format_minutes(hours.remaining_minutes)
    return f"{text} The minimum of {format_hours(hours.min_hours)} is not reached: {to_go} to go."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _block_title(w: _Writer, text: str) -> None:
    w.room(LINE * 4)  # keep a block's title with its first lines
    w.paragraph(text, "B", BODY + 0.5)
    w.gap(0.8)


def _write_session(
    w: _Writer, e: EntryRecord, hours: UnitHours | None, notes: SessionNotes
) -> None:
    duration = format_minutes(e.duration_minutes or 0)
    title = f"{e.ref} · {day(e.occurred_on)} · {duration}"
    if hours is not None:
        running = hours.running_at(e.ref) or 0
        reached = " (minimum reached)" if running >= hours.minimum_minutes else ""
        minimum = format_hours(hours.min_hours)
        title += f" · running {format_minutes(running)} of {minimum}{reached}"
    _block_title(w, title)
    d = e.data
    how = [
        shown(SESSION_FORMATS, d.get("format")),
        shown(SESSION_MODES, d.get("mode")),
    ]
    w.field("Mentees", " · ".join(x for x in (", ".join(e.mentees), *how) if x))
    w.field("Planned", as_text(d.get("plan")))
    w.field("Covered", as_text(d.get("summary")))
    w.field("Progress", as_text(d.get("progress")))
    w.field("Next steps", as_text(d.get("next_steps")))
    w.field("Reflection", as_text(d.get("reflection")))
    w.field("Feedback", "\n".join(map(feedback_line, notes.feedback.get(e.ref, ()))))
    w.field("Confirmed", "\n".join(map(confirmation_line, notes.confirmations.get(e.ref, ()))))
    w.field("Criteria", ", ".join(e.tags))
    w.gap()


def _write_entry(w: _Writer, e: EntryRecord) -> None:
    _block_title(w, f"{kind_label(e.kind)} · {e.ref} · {day(e.occurred_on)}")
    if e.mentees:
        w.field("Mentees", ", ".join(e.mentees))
    for f in _fields(e.kind):
        w.field(f.label, as_text(e.data.get(f.key)))
    w.gap()


def _fields(kind: str) -> tuple[Field, ...]:
    try:
        return FIELDS[Kind(kind)]
    except ValueError:
        return ()


def _write_goal(w: _Writer, g: GoalRecord) -> None:
    _block_title(w, f"Goal · {g.ref} · {g.owner}")
    w.field("Goal", g.statement)
    w.field("Measure", g.measure or "")
    w.field("Target date", day(g.target_date))
    w.field("Status", shown(GOAL_STATUSES, g.status))
    for r in g.reviews:
        note = f" ({r.note})" if r.note else ""
        status = shown(GOAL_STATUSES, r.status)
        w.field(f"Review {day(r.reviewed_on)}", f"{r.progress}{note} · {status}")
    w.gap()
