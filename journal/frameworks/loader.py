"""Read and validate framework files (YAML or CSV), naming the line of every problem.

A framework file comes from outside (a centre's own), so reading it is bounded: at most
`MAX_FILE_BYTES`, no YAML aliases (a few hundred bytes of nested aliases expand to gigabytes),
no nesting deeper than `MAX_DEPTH`, no control characters, and every value the bot reads later
(numbers, texts, the `extra` data of mark sheets, duties, methods and grades) checked for its
type here, so that a wrong file is a `FrameworkError` naming the line, never a traceback. A
UTF-8 byte order mark (Excel writes one) is dropped.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from journal.entries import FIELDS, Kind
from journal.frameworks.model import (
    Criterion,
    Framework,
    Outcome,
    Task,
    TaskElement,
    TaskHeading,
    Unit,
    criterion_id,
)
from journal.tasks import STARTS

MAX_FILE_BYTES = 1 << 20  # the built-in frameworks are 18 to 44 KB
MAX_DEPTH = 32  # the built-in frameworks nest 9 levels deep
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters a reader cannot see or that break the text: surrogates (no text can be written
# with them), zero-width spaces, direction marks, embeddings, overrides and isolates (they
# would make a criterion read as something else in an assessor's view).
_HIDDEN = re.compile("[\ud800-\udfff\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# A number in a framework is a level, a credit, hours or marks: a few digits.
MAX_DIGITS = 12
BOM = "\ufeff"
_ID = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_TOP_KEYS = {
    "id",
    "title",
    "version",
    "source",
    "criterion_ids",
    "notes",
    "units",
    "extra",
    "tasks",
}
# What an element's evidence rule may say; a task may give any of them as its elements' default.
_RULE_KEYS = {"kinds", "fields", "each", "tagged", "flow"}
_TASK_KEYS = {"code", "title", "unit", "text", "source", "headings", *_RULE_KEYS}
_HEADING_KEYS = {"title", "lead", "elements"}
_ELEMENT_KEYS = {"code", "text", "short", "lead", "criteria", "section", *_RULE_KEYS}
SHORT_CHARS = 80  # an element's short text is read in the chat ("D3.06 still needs: ...")
_UNIT_KEYS = {
    "code",
    "title",
    "group",
    "level",
    "credit",
    "assessment",
    "min_hours",
    "outcomes",
}
_OUTCOME_KEYS = {"code", "text", "criteria"}
_CRITERION_KEYS = {"code", "text", "methods", "methods_source"}
CSV_COLUMNS = (
    "framework",
    "title",
    "version",
    "unit",
    "unit_title",
    "outcome",
    "outcome_text",
    "criterion",
    "criterion_text",
    "methods",
)
# Optional columns that put the row's criterion under an element of an assessed task.
CSV_TASK_COLUMNS = ("task", "task_title", "task_heading", "task_element", "element_kinds")


class FrameworkError(ValueError):
    """A framework file is not valid; the message names the file, the line and the problem."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {problem}")


class _Map(dict):
    line: int = 0
    key_lines: dict[str, int] | None = None

    def line_of(self, key: str) -> int:
        return (self.key_lines or {}).get(key, self.line)


class _List(list):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists remember the line they start on, and which
    refuses aliases and deep nesting before anything is built."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:  # type: ignore[override]
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise FrameworkError(
                self.name,
                line,
                f"YAML aliases such as *{event.anchor} are not accepted: write the value out",
            )
        if self.depth >= MAX_DEPTH:
            raise FrameworkError(self.name, line, f"nested more than {MAX_DEPTH} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_DIGITS:
            raise FrameworkError(
                self.name, node.start_mark.line + 1, f"a number of {digits} digits"
            )
        return super().construct_yaml_int(node)

    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        value = super().construct_yaml_str(node)
        _refuse_hidden(value, self.name, node.start_mark.line + 1)
        return value

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Map:  # type: ignore[override]
        keys_seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise FrameworkError(
                    self.name,
                    key_node.start_mark.line + 1,
                    "YAML merge keys (<<) are not accepted: write the keys out",
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise FrameworkError(
                    self.name, key_node.start_mark.line + 1, "a key must be text, not a list"
                )
            key = self.construct_object(key_node, deep=deep)
            if key in keys_seen:
                raise FrameworkError(
                    self.name, key_node.start_mark.line + 1, f"key '{key}' appears twice"
                )
            keys_seen.add(key)
        result = _Map(super().construct_mapping(node, deep=True))
        result.line = node.start_mark.line + 1
        result.key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> _List:  # type: ignore[override]
        result = _List(super().construct_sequence(node, deep=True))
        result.line = node.start_mark.line + 1
        return result


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence
)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _LineLoader.construct_yaml_str)


def _refuse_hidden(text: str, source: str, line: int) -> None:
    found = _HIDDEN.search(text)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise FrameworkError(source, line, f"a hidden or broken character ({code}) in the text")


@dataclass
class _Checker:
    source: str
    criterion_ids: set[str] = field(default_factory=set)

    def fail(self, node: Any, problem: str, key: str | None = None) -> FrameworkError:
        line = node.line_of(key) if key and isinstance(node, _Map) else getattr(node, "line", None)
        return FrameworkError(self.source, line, problem)

    def mapping(self, node: Any, what: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        unknown = sorted(str(k) for k in node if k not in allowed)
        if unknown:
            raise self.fail(node, f"{what} has unknown key '{unknown[0]}'", unknown[0])
        return node

    def text(self, node: dict[str, Any], key: str, what: str) -> str:
        value = node.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail(node, f"{what} has no {key}", key)
        if not _is_text(value):
            raise self.fail(node, f"{what}: {key} must be text (in quotes if need be)", key)
        return " ".join(str(value).split())

    def optional_text(self, node: dict[str, Any], key: str, what: str) -> str | None:
        if node.get(key) is None or node.get(key) == "":
            return None
        return self.text(node, key, what)

    def number(self, node: dict[str, Any], key: str, what: str, *, whole: bool = False) -> Any:
        """A number (not true or false, not infinite), or None when the key is not given."""
        value = node.get(key)
        if value is None:
            return None
        if not _is_number(value) or (whole and not isinstance(value, int)):
            kind = "a whole number" if whole else "a number"
            raise self.fail(node, f"{what}: {key} must be {kind}, not '{value}'", key)
        return value

    def texts(self, node: dict[str, Any], key: str, what: str) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(node, f"{what}: {key} must be a list", key)
        if not all(_is_text(v) for v in value):
            raise self.fail(node, f"{what}: {key} must be a list of texts", key)
        return [str(v) for v in value]

    def mappings(self, node: dict[str, Any], key: str, what: str, item: str) -> list[Any]:
        """An optional list of mappings (the `extra` data of a framework)."""
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(node, f"{what}: {key} must be a list", key)
        for entry in value:
            if not isinstance(entry, dict):
                raise self.fail(value, f"{what}: {item} must be a mapping of keys to values")
        return value

    def code(self, node: dict[str, Any], what: str) -> str:
        code = self.text(node, "code", what)
        if not _CODE.match(code):
            raise self.fail(
                node, f"{what} has an unusable code '{code}' (letters, digits, . _ -)", "code"
            )
        return code

    def items(self, node: dict[str, Any], key: str, what: str) -> list[Any]:
        value = node.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(node, f"{what} has no {key}")
        return value


def _is_text(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """A number as YAML gives it: `true` is not one (bool is an int in Python), nor `.inf`."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _readable(text: str, source: str) -> str:
    """The text without a byte order mark; refused if it holds a control character."""
    text = text.removeprefix(BOM)
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        code = f"U+{ord(found.group()):04X}"
        raise FrameworkError(source, line, f"a control character ({code}) that cannot be shown")
    hidden = _HIDDEN.search(text)
    if hidden:
        _refuse_hidden(hidden.group(), source, text.count("\n", 0, hidden.start()) + 1)
    return text


def parse_yaml(text: str, source: str = "<framework>") -> Framework:
    loader = _LineLoader(_readable(text, source))
    loader.name = source
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise FrameworkError(source, line, f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise FrameworkError(source, None, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return build_framework(data, source)


def build_framework(data: Any, source: str) -> Framework:
    """The framework in `data` (mappings and lists from YAML or CSV), checked."""
    try:
        return _build_framework(data, source)
    except FrameworkError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        # Every known shape is checked above with its line; this is the net under them.
        raise FrameworkError(source, None, f"cannot be read as a framework ({exc})") from None


def _build_framework(data: Any, source: str) -> Framework:
    chk = _Checker(source)
    top = chk.mapping(data, "the framework", _TOP_KEYS)
    fw_id = chk.text(top, "id", "the framework")
    if not _ID.match(fw_id):
        raise chk.fail(top, f"framework id '{fw_id}' must be lowercase letters, digits or _")
    style = str(top.get("criterion_ids", "qualified"))
    if style not in {"qualified", "flat"}:
        raise chk.fail(top, f"criterion_ids must be 'qualified' or 'flat', not '{style}'")
    units: list[Unit] = []
    unit_codes: set[str] = set()
    for unit_node in chk.items(top, "units", "the framework"):
        unit = _build_unit(chk, unit_node, fw_id, style)
        if unit.code in unit_codes:
            raise chk.fail(unit_node, f"duplicate unit code '{unit.code}'", "code")
        unit_codes.add(unit.code)
        units.append(unit)
    extra = top.get("extra") or {}
    if not isinstance(extra, dict):
        raise chk.fail(top, "extra must be a mapping", "extra")
    _check_extra(chk, extra, unit_codes, {c.code for u in units for c in u.criteria})
    tasks = _build_tasks(chk, top, fw_id, style, units, extra)
    return Framework(
        id=fw_id,
        title=chk.text(top, "title", "the framework"),
        version=chk.text(top, "version", "the framework"),
        units=tuple(units),
        criterion_ids=style,
        source=chk.optional_text(top, "source", "the framework"),
        notes=tuple(chk.texts(top, "notes", "the framework")),
        extra=_plain(extra),
        tasks=tasks,
    )


def _build_tasks(
    chk: _Checker, top: dict[str, Any], fw_id: str, style: str, units: list[Unit], extra: Any
) -> tuple[Task, ...]:
    """The assessed tasks (`tasks:`), each element pointing at criteria, kinds and fields
    that exist, and at a mark-sheet section of its unit when the unit has a mark sheet."""
    tasks: list[Task] = []
    codes: set[str] = set()
    for node in chk.mappings(top, "tasks", "the framework", "a task"):
        node = chk.mapping(node, "a task", _TASK_KEYS)
        code = chk.code(node, "a task")
        if code in codes:
            raise chk.fail(node, f"duplicate task code '{code}'", "code")
        codes.add(code)
        what = f"task {code}"
        unit = chk.optional_text(node, "unit", what)
        if unit is not None and unit not in {u.code for u in units}:
            raise chk.fail(node, f"{what} is for unknown unit '{unit}'", "unit")
        defaults = {k: node[k] for k in _RULE_KEYS if k in node}
        sections = _sheet_sections(extra, unit)
        headings: list[TaskHeading] = []
        element_codes: set[str] = set()
        for h_node in chk.items(node, "headings", what):
            h_node = chk.mapping(h_node, f"a heading of {what}", _HEADING_KEYS)
            title = chk.text(h_node, "title", f"a heading of {what}")
            h_what = f"heading '{title}' of {what}"
            elements = []
            for e_node in chk.items(h_node, "elements", h_what):
                element = _build_element(chk, e_node, defaults, fw_id, style, unit, sections, what)
                if element.code in element_codes:
                    raise chk.fail(e_node, f"duplicate element code '{element.code}' in {what}")
                element_codes.add(element.code)
                elements.append(element)
            headings.append(
                TaskHeading(
                    title=title,
                    elements=tuple(elements),
                    lead=chk.optional_text(h_node, "lead", h_what),
                )
            )
        tasks.append(
            Task(
                code=code,
                title=chk.text(node, "title", what),
                headings=tuple(headings),
                unit=unit,
                text=chk.optional_text(node, "text", what),
                source=chk.optional_text(node, "source", what),
            )
        )
    return tuple(tasks)


def _sheet_sections(extra: Any, unit: str | None) -> set[str]:
    """The section titles of the mark sheet(s) of `unit` (a sheet names its unit or units)."""
    found: set[str] = set()
    if unit is None or not isinstance(extra, dict):
        return found
    for sheet in extra.get("mark_sheets") or []:
        if not isinstance(sheet, dict):
            continue
        named = sheet.get("units") if isinstance(sheet.get("units"), list) else [sheet.get("unit")]
        if unit in named:
            found |= {
                str(s.get("title")) for s in sheet.get("sections") or [] if isinstance(s, dict)
            }
    return found


def _build_element(
    chk: _Checker,
    node: Any,
    defaults: dict[str, Any],
    fw_id: str,
    style: str,
    unit: str | None,
    sections: set[str],
    task: str,
) -> TaskElement:
    node = chk.mapping(node, f"an element of {task}", _ELEMENT_KEYS)
    code = chk.code(node, f"an element of {task}")
    what = f"element {code} of {task}"
    rule = _Map({**defaults, **{k: node[k] for k in _RULE_KEYS if k in node}})
    rule.line = node.line
    # A rule given on the task is reported at the element's line.
    rule.key_lines = {k: node.line_of(k) if k in node else node.line for k in rule}
    kinds = chk.texts(rule, "kinds", what)
    if not kinds:
        raise chk.fail(node, f"{what} names no entry kinds that can evidence it (kinds)")
    known = {k.value for k in Kind}
    for kind in kinds:
        if kind not in known:
            raise chk.fail(
                rule, f"{what}: unknown entry kind '{kind}' ({', '.join(sorted(known))})", "kinds"
            )
    kind_fields = {f.key for k in kinds for f in FIELDS[Kind(k)]}
    fields = chk.texts(rule, "fields", what)
    for name in fields:
        if name not in kind_fields:
            raise chk.fail(
                rule, f"{what}: no kind of {', '.join(kinds)} has a field '{name}'", "fields"
            )
    each = []
    for condition in chk.mappings(rule, "each", what, "a condition"):
        pairs = []
        for key, values in condition.items():
            if key not in kind_fields:
                raise chk.fail(
                    condition, f"{what}: no kind of {', '.join(kinds)} has a field '{key}'"
                )
            listed = values if isinstance(values, list) else [values]
            if not listed or not all(_is_text(v) for v in listed):
                raise chk.fail(condition, f"{what}: '{key}' must be a value or a list of values")
            pairs.append((str(key), tuple(str(v) for v in listed)))
        each.append(tuple(pairs))
    tagged = rule.get("tagged", False)
    if not isinstance(tagged, bool):
        raise chk.fail(rule, f"{what}: tagged must be true or false", "tagged")
    flow = chk.optional_text(rule, "flow", what)
    if flow is not None and flow not in STARTS:
        raise chk.fail(rule, f"{what}: unknown flow '{flow}' ({', '.join(sorted(STARTS))})", "flow")
    criteria = []
    for ref in chk.texts(node, "criteria", what):
        crit_unit, _, crit_code = ref.rpartition("/")
        crit_unit = crit_unit or unit
        if crit_unit is None:
            raise chk.fail(
                node, f"{what}: criterion '{ref}' needs its unit (UNIT/CODE)", "criteria"
            )
        crit_id = criterion_id(fw_id, style, crit_unit, crit_code)
        if crit_id not in chk.criterion_ids:
            raise chk.fail(node, f"{what} names unknown criterion '{ref}'", "criteria")
        criteria.append(crit_id)
    if tagged and not criteria:
        raise chk.fail(node, f"{what} is evidenced only by a tag but names no criteria")
    section = chk.optional_text(node, "section", what)
    if section is not None and sections and section not in sections:
        raise chk.fail(
            node, f"{what}: no mark-sheet section '{section}' for unit {unit}", "section"
        )
    text = chk.text(node, "text", what)
    short = chk.optional_text(node, "short", what) or text
    if len(short) > SHORT_CHARS:
        if "short" in node:
            raise chk.fail(node, f"{what}: short is longer than {SHORT_CHARS} characters", "short")
        short = short[: SHORT_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return TaskElement(
        code=code,
        text=text,
        short=short,
        criteria=tuple(criteria),
        section=section,
        kinds=tuple(kinds),
        fields=tuple(fields),
        each=tuple(each) or ((),),
        tagged=tagged,
        flow=flow,
        lead=chk.optional_text(node, "lead", what),
    )


def _build_unit(chk: _Checker, node: Any, fw_id: str, style: str) -> Unit:
    node = chk.mapping(node, "a unit", _UNIT_KEYS)
    code = chk.code(node, "a unit")
    what = f"unit {code}"
    outcomes: list[Outcome] = []
    outcome_codes: set[str] = set()
    for outcome_node in chk.items(node, "outcomes", what):
        outcome_node = chk.mapping(outcome_node, f"an outcome of {what}", _OUTCOME_KEYS)
        o_code = chk.code(outcome_node, f"an outcome of {what}")
        if o_code in outcome_codes:
            raise chk.fail(outcome_node, f"duplicate outcome code '{o_code}' in {what}", "code")
        outcome_codes.add(o_code)
        o_what = f"outcome {o_code} of {what}"
        criteria = []
        for crit_node in chk.items(outcome_node, "criteria", o_what):
            criteria.append(_build_criterion(chk, crit_node, fw_id, style, code, o_code, o_what))
        outcomes.append(
            Outcome(
                code=o_code, text=chk.text(outcome_node, "text", o_what), criteria=tuple(criteria)
            )
        )
    min_hours = chk.number(node, "min_hours", what)
    if min_hours is not None and min_hours <= 0:
        raise chk.fail(node, f"{what}: min_hours must be a positive number", "min_hours")
    return Unit(
        code=code,
        title=chk.text(node, "title", what),
        outcomes=tuple(outcomes),
        group=chk.optional_text(node, "group", what),
        level=chk.number(node, "level", what, whole=True),
        credit=_not_negative(chk, node, "credit", what),
        assessment=chk.optional_text(node, "assessment", what),
        min_hours=float(min_hours) if min_hours is not None else None,
    )


def _not_negative(chk: _Checker, node: Any, key: str, what: str) -> int | None:
    value = chk.number(node, key, what, whole=True)
    if value is not None and value < 0:
        raise chk.fail(node, f"{what}: {key} must not be negative", key)
    return value


def _build_criterion(
    chk: _Checker, node: Any, fw_id: str, style: str, unit: str, outcome: str, what: str
) -> Criterion:
    node = chk.mapping(node, f"a criterion of {what}", _CRITERION_KEYS)
    code = chk.code(node, f"a criterion of {what}")
    crit_id = criterion_id(fw_id, style, unit, code)
    if crit_id in chk.criterion_ids:
        raise chk.fail(node, f"duplicate criterion code '{code}' ({crit_id})", "code")
    chk.criterion_ids.add(crit_id)
    return Criterion(
        id=crit_id,
        code=code,
        text=chk.text(node, "text", f"criterion {crit_id}"),
        unit_code=unit,
        outcome_code=outcome,
        methods=tuple(chk.texts(node, "methods", f"criterion {crit_id}")),
        methods_source=chk.optional_text(node, "methods_source", f"criterion {crit_id}"),
    )


def _check_extra(chk: _Checker, extra: dict[str, Any], units: set[str], codes: set[str]) -> None:
    """The framework-specific data the bot reads (mark sheets, duties, methods, grades) has
    the shape it is read in, and points at units and criteria that exist."""
    for sheet in chk.mappings(extra, "mark_sheets", "extra", "a mark sheet"):
        unit = chk.text(sheet, "unit", "a mark sheet")
        if unit not in units:
            raise chk.fail(sheet, f"mark sheet for unknown unit '{unit}'", "unit")
        what = f"mark sheet {unit}"
        chk.optional_text(sheet, "title", what)
        chk.number(sheet, "pass_total", what)
        if not isinstance(sheet.get("sections"), list):
            raise chk.fail(sheet, f"{what}: sections must be a list", "sections")
        for section in chk.mappings(sheet, "sections", what, "a section"):
            title = chk.text(section, "title", f"a section of {what}")
            for key in ("max", "min"):
                if chk.number(section, key, f"section '{title}' of {what}") is None:
                    raise chk.fail(section, f"section '{title}' of {what} has no {key}")
            chk.texts(section, "criteria_met", f"section '{title}' of {what}")
    for duty in chk.mappings(extra, "duties", "extra", "a duty"):
        what = f"duty {chk.text(duty, 'code', 'a duty')}"
        for ksb in chk.texts(duty, "ksbs", what):
            if ksb not in codes:
                raise chk.fail(duty, f"{what} names unknown criterion '{ksb}'", "ksbs")
    for method in chk.mappings(extra, "methods", "extra", "a method"):
        chk.text(method, "code", "a method")
        chk.optional_text(method, "title", "a method")
        chk.mappings(method, "themes", f"method {method['code']}", "a theme")
    for row in chk.mappings(extra, "overall_grades", "extra", "a row of overall_grades"):
        for key in row:
            chk.text(row, key, "a row of overall_grades")
    chk.mappings(extra, "groups", "extra", "a group")


def _plain(value: Any) -> Any:
    """Drop the line-number wrappers so that extra data compares and serialises as usual."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_csv(text: str, source: str = "<framework.csv>") -> Framework:
    """One criterion a row; a unit's and an outcome's text are given on their first row."""
    reader = csv.DictReader(io.StringIO(_readable(text, source)), strict=True)
    try:
        return _parse_rows(reader, source)
    except csv.Error as exc:
        problem = f"not valid CSV: {exc}"
        if "field limit" in str(exc):
            problem = f"a field longer than {csv.field_size_limit() // 1024} KiB"
        # DictReader.line_num stops at the last good row; its reader has read the bad one.
        raise FrameworkError(source, reader.reader.line_num or 1, problem) from None


def _parse_rows(reader: csv.DictReader[str], source: str) -> Framework:
    header = list(reader.fieldnames or [])
    twice = next((c for c in header if header.count(c) > 1), None)
    if twice is not None:
        raise FrameworkError(source, 1, f"the header names '{twice}' twice")
    missing = [c for c in CSV_COLUMNS if c != "methods" and c not in header]
    if missing:
        raise FrameworkError(source, 1, f"missing column '{missing[0]}'")
    top = _Map()
    top.line = 2
    units: dict[str, _Map] = {}
    outcomes: dict[tuple[str, str], _Map] = {}
    tasks: dict[str, _Map] = {}
    headings: dict[tuple[str, str], _Map] = {}
    for row in reader:
        line = reader.line_num
        if None in row:  # DictReader keeps the fields past the header under None
            raise FrameworkError(
                source, line, "more fields than the header names (a comma not in quotes?)"
            )
        values = {k: (v or "").strip() for k, v in row.items() if k}
        for key in ("framework", "title", "version"):
            if values[key]:
                if top.get(key, values[key]) != values[key]:
                    raise FrameworkError(
                        source, line, f"a second {key} '{values[key]}' in one file"
                    )
                top[key] = values[key]
        unit_code = values["unit"]
        if not unit_code:
            raise FrameworkError(source, line, "the row has no unit")
        if unit_code not in units:
            if not values["unit_title"]:
                raise FrameworkError(
                    source,
                    line,
                    f"unknown unit '{unit_code}': give its unit_title on its first row",
                )
            units[unit_code] = _row_map(
                line, code=unit_code, title=values["unit_title"], outcomes=_List()
            )
        outcome_key = (unit_code, values["outcome"])
        if outcome_key not in outcomes:
            outcome = _row_map(
                line, code=values["outcome"], text=values["outcome_text"], criteria=_List()
            )
            outcomes[outcome_key] = outcome
            units[unit_code]["outcomes"].append(outcome)
        methods = [m.strip() for m in values.get("methods", "").split(";") if m.strip()]
        outcomes[outcome_key]["criteria"].append(
            _row_map(line, code=values["criterion"], text=values["criterion_text"], methods=methods)
        )
        if values.get("task_element"):
            _task_row(values, line, source, tasks, headings)
    top["id"] = top.pop("framework", None)
    top["units"] = _List(units.values())
    if tasks:
        top["tasks"] = _List(tasks.values())
    return build_framework(top, source)


def _task_row(
    values: dict[str, str],
    line: int,
    source: str,
    tasks: dict[str, _Map],
    headings: dict[tuple[str, str], _Map],
) -> None:
    """A row with a task_element: the row's criterion is the element's, under its heading."""
    code = values.get("task", "")
    if not code:
        raise FrameworkError(source, line, "the row has a task_element but no task")
    if code not in tasks:
        if not values.get("task_title"):
            raise FrameworkError(
                source, line, f"unknown task '{code}': give its task_title on its first row"
            )
        tasks[code] = _row_map(line, code=code, title=values["task_title"], headings=_List())
    heading_title = values.get("task_heading") or tasks[code]["title"]
    if (code, heading_title) not in headings:
        heading = _row_map(line, title=heading_title, elements=_List())
        headings[(code, heading_title)] = heading
        tasks[code]["headings"].append(heading)
    kinds = [k.strip() for k in values.get("element_kinds", "").split(";") if k.strip()]
    criterion = f"{values['unit']}/{values['criterion']}"
    headings[(code, heading_title)]["elements"].append(
        _row_map(
            line,
            code=f"{values['unit']}_{values['criterion']}",
            text=values["task_element"],
            criteria=_List([criterion]),
            kinds=_List(kinds),
        )
    )


def _row_map(line: int, **values: Any) -> _Map:
    node = _Map(values)
    node.line = line
    return node


def read_file(path: Path) -> str:
    """A framework file's text: UTF-8, at most `MAX_FILE_BYTES`, without a byte order mark."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FrameworkError(str(path), None, f"cannot be read: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        limit = f"{MAX_FILE_BYTES // 1024} KiB"
        raise FrameworkError(str(path), None, f"is larger than {limit} (a framework is ~50 KB)")
    try:
        return data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FrameworkError(str(path), line, "is not UTF-8 text (save it as UTF-8)") from None


def parse_text(text: str, source: str, suffix: str) -> Framework:
    """A framework from the text of a .yaml, .yml or .csv file."""
    if suffix.lower() == ".csv":
        return parse_csv(text, source)
    if suffix.lower() in {".yaml", ".yml"}:
        return parse_yaml(text, source)
    raise FrameworkError(source, None, "must be a .yaml, .yml or .csv file")


def load_file(path: Path) -> Framework:
    if path.suffix.lower() not in {".csv", ".yaml", ".yml"}:
        raise FrameworkError(str(path), None, "must be a .yaml, .yml or .csv file")
    return parse_text(read_file(path), str(path), path.suffix)
