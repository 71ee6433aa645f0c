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
    attachment_name,
    confirmation_line,
    day,
    export_view,
    feedback_giver,
    feedback_line,
    feedback_question,
    kind_label,
    partial_file,
    shown,
    utc_time,
)
from exports.assessment_record import write_assessment_section
from exports.epa_portfolio import cover_line as epa_cover_line
from exports.epa_portfolio import write_epa_section
from exports.gateway_section import SECTION as GATEWAY_SECTION
from exports.gateway_section import cover_line as gateway_cover_line
from exports.gateway_section import write_gateway_section
from exports.otj_sheet import cover_line as otj_cover_line
from exports.otj_sheet import write_otj_section
from exports.statement import TITLE as STATEMENT_TITLE
from exports.statement import statement_lines
from exports.summary import RAG_RGB, MapUnit, summary
from exports.tasks_sheet import write_tasks_section
from exports.xlsx import DECLARATION
from journal.entries import (
    EVIDENCE_TYPES,
    FIELDS,
    GOAL_STATUSES,
    SESSION_FORMATS,
    SESSION_MODES,
    Field,
    Kind,
)
from journal.frameworks.model import Framework, Unit
from journal.frameworks.registry import Registry
from journal.hours import (
    UnitHours,
    confirmed_text,
    format_hours,
    format_minutes,
    hours_rule,
    unit_hours,
    units_in_use,
)
from journal.snapshot import ConfirmationRecord, EntryRecord, GoalRecord, PortfolioSnapshot

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
        self.toc: list[tuple[int, str, int]] = []  # (level, title, page) for the contents

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
        self.toc.append((level, text, self.pdf.page))
        self.paragraph(text, "B", size)
        self.pdf.y += 1.2

    def block(self, title: str, fields: Sequence[tuple[str, str]]) -> None:
        """An entry: its title and fields kept on one page. The block is measured first
        and starts a new page when it would not fit; only a block taller than a whole page
        runs on over pages (line by line, never a line cut)."""
        fields = [(label, value.strip()) for label, value in fields if value and value.strip()]
        title_lines = self.wrap(title, "B", BODY + 0.5, self.pdf.epw)
        height = len(title_lines) * (BODY + 0.5) * 0.48 + 0.8 + 2.5
        for label, value in fields:
            labels = self.wrap(label, "B", BODY - 1, LABEL_WIDTH - 2)
            values = self.wrap(value, "", BODY, self.pdf.epw - LABEL_WIDTH)
            height += max(len(labels), len(values)) * LINE
        page_room = self.pdf.h - BOTTOM - TOP
        if height <= page_room:
            self.room(height)
        else:
            self.room(LINE * 4)
        self.lines(title_lines, MARGIN, "B", BODY + 0.5, (BODY + 0.5) * 0.48)
        self.gap(0.8)
        for label, value in fields:
            self.field(label, value)
        self.gap()

    def contents(self, page: int) -> None:
        """The contents on the page kept for them, once every section's page is known."""
        pdf, last, y = self.pdf, self.pdf.page, self.pdf.y
        pdf.page, pdf.y = page, TOP
        self.paragraph("Contents", "B", 14)
        self.gap(2)
        for level, title, at in self.toc:
            indent = 6.0 * level
            text = self.wrap(title, "B" if level == 0 else "", BODY, pdf.epw - 20 - indent)[0]
            if pdf.y > pdf.h - BOTTOM - LINE:
                break  # the contents fill one page; the outline lists every section
            self.draw(MARGIN + indent, pdf.y, text, "B" if level == 0 else "", BODY)
            number = str(at)
            self.draw(pdf.w - MARGIN - self.width(number, "", BODY), pdf.y, number, "", BODY)
            pdf.y += LINE
        pdf.page, pdf.y = last, y

    def rag_map(self, units: Sequence[MapUnit]) -> None:
        """The criteria as coloured cells, one row per unit: a picture instead of a wall of
        codes. Green: enough evidence, amber: some, red: none."""
        pdf = self.pdf
        cell_w, cell_h, label_w, size = 11.0, 5.0, 22.0, 6.0
        per_row = int((pdf.epw - label_w) // (cell_w + 0.8))
        for unit in units:
            rows = [unit.cells[i : i + per_row] for i in range(0, len(unit.cells), per_row)]
            self.room(len(rows) * (cell_h + 0.8) + 1)
            self.draw(MARGIN, pdf.y + 0.6, unit.unit[:14], "B", BODY - 1.5)
            for row in rows:
                x = MARGIN + label_w
                for code, colour in row:
                    pdf.set_fill_color(*RAG_RGB[colour])
                    pdf.rect(x, pdf.y, cell_w, cell_h, style="F")
                    pdf.set_fill_color(0)  # the text drawn next is black
                    label = self.wrap(code, "", size, cell_w - 1)[0]
                    tx = x + (cell_w - self.width(label, "", size)) / 2
                    self.draw(tx, pdf.y + 1.1, label, "", size)
                    x += cell_w + 0.8
                pdf.y += cell_h + 0.8
            pdf.y += 0.6
        self.gap(1)
        x = MARGIN
        for colour, text in (("green", "enough evidence"), ("amber", "some"), ("red", "none")):
            pdf.set_fill_color(*RAG_RGB[colour])
            pdf.rect(x, pdf.y, 4, 3.2, style="F")
            pdf.set_fill_color(0)
            self.draw(x + 5, pdf.y + 0.1, text, "", BODY - 2)
            x += 6 + self.width(text, "", BODY - 2) + 6
        pdf.y += LINE

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


# Under the first heading (planning and undertaking) and the second (reflecting): the kinds.
PLANNING_KINDS = frozenset({Kind.CONTRACT, Kind.SESSION, Kind.EVIDENCE})
REFLECTING_KINDS = frozenset({Kind.REFLECTION, Kind.SUPERVISION, Kind.FEEDBACK, Kind.CPD})
SIGNATORIES = ("Candidate", "Supervisor", "Assessor", "Internal quality assurer")


def build_diary(snapshot: PortfolioSnapshot, registry: Registry, out_path: Path) -> Path:
    """Write the mentoring diary to `out_path`."""
    return write_diary(export_view(snapshot, registry), out_path)


def write_diary(view: ExportView, out_path: Path) -> Path:
    """Summary first, then the contents, each unit's part under its task headings with every
    entry in date order, the entries no unit holds, and the declarations and signatures."""
    names = "; ".join(f.title for f in view.frameworks) or "no framework"
    writer = _Writer(f"Mentoring diary · {view.snapshot.candidate} · {names}")
    writer.pdf.set_title(f"Mentoring diary: {view.snapshot.candidate}")
    writer.new_page()
    _front(writer, view)
    writer.new_page()
    contents_page = writer.pdf.page
    notes = SessionNotes.of(view)
    words = _criteria_words(view)
    shown_refs: set[str] = set()
    for part in _parts(view):
        _write_part(writer, part, notes, words, shown_refs)
    rest = tuple(
        e
        for e in view.entries_in_order
        if e.ref not in shown_refs
        and e.ref not in notes.placed_feedback
        and e.kind not in (Kind.GOAL, Kind.GOAL_REVIEW)
    )
    if rest or notes.loose_confirmations:
        writer.new_page()
        writer.heading("Other entries, in date order", 14, 0)
        for e in rest:
            _write_entry(writer, e, view, words)
        for c in notes.loose_confirmations:
            _write_confirmation(writer, c)
    write_epa_section(writer, view)
    write_otj_section(writer, view)
    write_gateway_section(writer, view)
    write_tasks_section(writer, view)
    write_assessment_section(writer, view)
    _signatures(writer, view)
    writer.contents(contents_page)
    writer.number_pages()
    with partial_file(out_path) as partial:
        writer.pdf.output(str(partial))
    return Path(out_path)


def _criteria_words(view: ExportView) -> dict[str, str]:
    """criterion id -> "D3.06 2.1 Plan mentoring sessions ..." (its code and its words)."""
    return {c.id: f"{c.unit_code} {c.code} {c.text}" for fw in view.frameworks for c in fw.criteria}


def _criteria(e: EntryRecord, words: dict[str, str]) -> tuple[str, str]:
    return "Criteria", "\n".join(words.get(t, t) for t in e.tags)


def _front(w: _Writer, view: ExportView) -> None:
    """The summary an assessor reads first."""
    s, found = view.snapshot, summary(view)
    w.paragraph("Mentoring diary: summary", "B", 18)
    w.gap(2)
    w.field("Candidate", found.candidate)
    w.field("Centre", found.centre)
    w.field("Qualification", "\n".join(found.qualifications))
    w.field("Period", found.period)
    w.field("Generated", utc_time(s.generated_at))
    if s.anonymised:
        w.field("Anonymised", "Mentees appear as Mentee A, Mentee B ...")
    w.field("Hours", "\n".join(h.text for h in found.hours))
    if (otj := otj_cover_line(view)) is not None:
        w.field("Off-the-job training", otj)
    if (epa := epa_cover_line(view)) is not None:
        w.field("EPA portfolio", epa)
    if (gateway := gateway_cover_line(view)) is not None:
        w.field(GATEWAY_SECTION, gateway)
    w.field("Coverage", "\n".join(u.text for u in found.units))
    if statement := statement_lines(view):
        w.field(STATEMENT_TITLE, "\n".join(f"{label}: {text}" for label, text in statement[1:3]))
    if found.failed:
        w.gap()
        w.paragraph("Checks that failed, and what to do", "B", BODY + 1)
        for check, todo in found.failed:
            w.paragraph(f"• {check.message}. What to do: {todo}.", indent=3)
    if found.to_check:
        w.gap()
        w.paragraph("For a person to check", "B", BODY + 1)
        for check in found.to_check:
            w.paragraph(f"• {check.message}", indent=3)
    if found.map:
        w.gap()
        w.paragraph("Criteria map", "B", BODY + 1)
        w.gap(1)
        w.rag_map(found.map)


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
        title = "Mentoring diary entries"
        parts.append(_Part(title, "", DEFAULT_HEADINGS, None, entries, view.snapshot.goals))
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


def _write_part(
    w: _Writer, part: _Part, notes: SessionNotes, words: dict[str, str], shown_refs: set[str]
) -> None:
    planning = [e for e in part.entries if e.kind in PLANNING_KINDS]
    reflecting = [
        e
        for e in part.entries
        if e.kind in REFLECTING_KINDS
        and not (e.kind == Kind.FEEDBACK and e.ref in notes.placed_feedback)
    ]
    w.new_page()
    w.heading(part.title, 14, 0)
    if part.subtitle:
        w.paragraph(part.subtitle)
    first, second = part.headings
    if planning or part.goals:
        w.heading(first, 12, 1)
        for g in part.goals:
            _write_goal(w, g)
            shown_refs.add(g.ref)
        for e in planning:
            if e.kind == Kind.SESSION:
                _write_session(w, e, part.hours, notes, words)
            else:
                _write_entry(w, e, None, words)
            shown_refs.add(e.ref)
    w.heading(second, 12, 1)
    w.paragraph(_summary(part))  # the hours so far: never a heading over nothing
    w.gap()
    for e in reflecting:
        _write_entry(w, e, None, words)
        shown_refs.add(e.ref)


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
    if reached and hours.confirmed_short_minutes:  # supervised practice, not yet confirmed
        return (
            f"{text} The minimum of {format_hours(hours.min_hours)} was logged by "
            f"{day(reached.occurred_on)} ({reached.ref}) but is not reached: "
            f"{confirmed_text(hours)}."
        )
    if reached:
        when = f"reached on {day(reached.occurred_on)} ({reached.ref})"
        return f"{text} The minimum of {format_hours(hours.min_hours)} was {when}."
    to_go = format_minutes(hours.remaining_minutes)
    return f"{text} The minimum of {format_hours(hours.min_hours)} is not reached: {to_go} to go."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _write_session(
    w: _Writer,
    e: EntryRecord,
    hours: UnitHours | None,
    notes: SessionNotes,
    words: dict[str, str],
) -> None:
    duration = format_minutes(e.duration_minutes or 0)
    title = f"Session · {e.ref} · {day(e.occurred_on)} · {duration}"
    if hours is not None:
        running = hours.running_at(e.ref) or 0
        reached = " (minimum reached)" if running >= hours.minimum_minutes else ""
        minimum = format_hours(hours.min_hours)
        title += f" · running {format_minutes(running)} of {minimum}{reached}"
    d = e.data
    how = [shown(SESSION_FORMATS, d.get("format")), shown(SESSION_MODES, d.get("mode"))]
    feedback = notes.feedback.get(e.ref, ())
    w.block(
        title,
        [
            ("Mentees", " · ".join(x for x in (", ".join(e.mentees), *how) if x)),
            ("Planned", as_text(d.get("plan"))),
            ("Covered", as_text(d.get("summary"))),
            ("Progress", as_text(d.get("progress"))),
            ("Next steps", as_text(d.get("next_steps"))),
            ("Reflection", as_text(d.get("reflection"))),
            (
                "Question asked",
                feedback_question(feedback[0], e, w_candidate(w)) if feedback else "",
            ),
            ("Feedback", "\n".join(map(feedback_line, feedback))),
            ("Confirmed", "\n".join(map(confirmation_line, notes.confirmations.get(e.ref, ())))),
            _criteria(e, words),
        ],
    )


def w_candidate(w: _Writer) -> str:
    """The candidate's name, as the running head carries it."""
    return w.running_head.split(" · ")[1] if " · " in w.running_head else ""


def _attachment_lines(e: EntryRecord) -> str:
    return "\n".join(
        f"{attachment_name(a, i)} ({a.kind}, {a.size:,} bytes, SHA-256 {a.sha256[:16]}…)"
        for i, a in enumerate(e.attachments, 1)
    )


def _write_entry(
    w: _Writer, e: EntryRecord, view: ExportView | None, words: dict[str, str]
) -> None:
    """Any entry as a block: its kind, reference and date, its fields, files and criteria."""
    d = e.data
    label = kind_label(e.kind)
    fields: list[tuple[str, str]] = []
    if e.kind == Kind.EVIDENCE:
        label = EVIDENCE_TYPES.get(as_text(d.get("evidence_type")), label)
        fields.append(("Caption", as_text(d.get("caption"))))
        if d.get("from_name"):
            fields.append(("From", as_text(d.get("from_name"))))
    elif e.kind == Kind.FEEDBACK:
        fields.append(("From", feedback_giver(e)))
        fields.append(("Question asked", feedback_question(e, None, w_candidate(w))))
        rating = d.get("rating")
        fields.append(("Rating", f"{rating}/5" if rating is not None else ""))
        fields.append(("Feedback", as_text(d.get("text"))))
        fields.append(("About", as_text(d.get("about_ref"))))
    else:
        fields += [(f.label, shown_value(e, f)) for f in _fields(e.kind)]
    if e.mentees:
        fields.insert(0, ("Mentees", ", ".join(e.mentees)))
    fields.append(("Files", _attachment_lines(e)))
    fields.append(_criteria(e, words))
    w.block(f"{label} · {e.ref} · {day(e.occurred_on)}", fields)


def shown_value(e: EntryRecord, f: Field) -> str:
    return as_text(e.data.get(f.key))


def _write_confirmation(w: _Writer, c: ConfirmationRecord) -> None:
    what = "Witness testimony" if c.kind == "testimony" else "Supervisor confirmation"
    w.block(f"{what} · {day(c.confirmed_at.date())}", [("Confirmed", confirmation_line(c))])


def _fields(kind: str) -> tuple[Field, ...]:
    try:
        return FIELDS[Kind(kind)]
    except ValueError:
        return ()


def _write_goal(w: _Writer, g: GoalRecord) -> None:
    fields = [
        ("Goal", g.statement),
        ("Measure", g.measure or ""),
        ("Target date", day(g.target_date)),
        ("Status", shown(GOAL_STATUSES, g.status)),
    ]
    for r in g.reviews:
        note = f" ({r.note})" if r.note else ""
        status = shown(GOAL_STATUSES, r.status)
        fields.append((f"Review {r.ref} {day(r.reviewed_on)}", f"{r.progress}{note} · {status}"))
    w.block(f"Goal · {g.ref} · {g.owner}", fields)


def _latest(view: ExportView) -> dict[str, tuple[str, str]]:
    """Signatory -> (names, date) where the portfolio records them."""
    s = view.snapshot
    found: dict[str, tuple[str, str]] = {"Candidate": (s.candidate, "")}
    if s.confirmations:
        last = max(s.confirmations, key=lambda c: c.confirmed_at)
        names = ", ".join(dict.fromkeys(c.supervisor for c in s.confirmations))
        found["Supervisor"] = (names, f"last confirmation {utc_time(last.confirmed_at)}")
    decided = [(d.assessor, d.decided_at) for d in s.decisions] + [
        (m.assessor, m.decided_at) for m in s.marks if m.role != "qa"
    ]
    if decided:
        names = ", ".join(dict.fromkeys(name for name, _ in decided))
        found["Assessor"] = (names, f"last decision {utc_time(max(t for _, t in decided))}")
    # The internal quality assurer: decisions sampled, QA marks given (issue 10 part B).
    checked = [(q.iqa, q.sampled_at) for q in s.qa_samples] + [
        (m.assessor, m.decided_at) for m in s.marks if m.role == "qa"
    ]
    if checked:
        names = ", ".join(dict.fromkeys(name for name, _ in checked))
        last = utc_time(max(t for _, t in checked))
        found["Internal quality assurer"] = (names, f"last sample {last}")
    return found


def _signatures(w: _Writer, view: ExportView) -> None:
    """The candidate's declaration, then a block to sign for each signatory."""
    w.new_page()
    w.heading("Declarations and signatures", 14, 0)
    w.block(
        "Candidate's declaration of authenticity",
        [("Declaration", f"{view.snapshot.candidate}: {DECLARATION}")],
    )
    if statement := statement_lines(view):
        w.block(STATEMENT_TITLE, statement)
    recorded = _latest(view)
    for who in SIGNATORIES:
        name, when = recorded.get(who, ("", ""))
        w.block(
            f"{who}",
            [
                ("Name", name or "…………………………………………"),
                ("Recorded", when),
                ("Signature", "…………………………………………"),
                ("Date", "…………………………………………"),
            ],
        )
