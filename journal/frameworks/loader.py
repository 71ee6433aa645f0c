"""Read and validate framework files (YAML or CSV), naming the line of every problem."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from journal.frameworks.model import Criterion, Framework, Outcome, Unit, criterion_id

_ID = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_TOP_KEYS = {"id", "title", "version", "source", "criterion_ids", "notes", "units", "extra"}
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
_CRITERION_KEYS = {"code", "text", "methods"}
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
    """A safe loader whose mappings and lists remember the line they start on."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Map:  # type: ignore[override]
        keys_seen: set[Any] = set()
        for key_node, _ in node.value:
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
        if not isinstance(value, (str, int, float)):
            raise self.fail(node, f"{what}: {key} must be text", key)
        return " ".join(str(value).split())

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


def parse_yaml(text: str, source: str = "<framework>") -> Framework:
    loader = _LineLoader(text)
    loader.name = source
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise FrameworkError(source, line, f"not valid YAML: {exc.problem}") from None
    finally:
        loader.dispose()
    return build_framework(data, source)


def build_framework(data: Any, source: str) -> Framework:
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
        raise chk.fail(top, "extra must be a mapping")
    _check_references(chk, extra, unit_codes, {c.code for u in units for c in u.criteria})
    notes = top.get("notes") or []
    return Framework(
        id=fw_id,
        title=chk.text(top, "title", "the framework"),
        version=chk.text(top, "version", "the framework"),
        units=tuple(units),
        criterion_ids=style,
        source=str(top["source"]) if top.get("source") else None,
        notes=tuple(str(n) for n in notes),
        extra=_plain(extra),
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
    min_hours = node.get("min_hours")
    if min_hours is not None and (not isinstance(min_hours, (int, float)) or min_hours <= 0):
        raise chk.fail(node, f"{what}: min_hours must be a positive number")
    return Unit(
        code=code,
        title=chk.text(node, "title", what),
        outcomes=tuple(outcomes),
        group=str(node["group"]) if node.get("group") is not None else None,
        level=_optional_int(chk, node, "level", what),
        credit=_optional_int(chk, node, "credit", what),
        assessment=str(node["assessment"]) if node.get("assessment") else None,
        min_hours=float(min_hours) if min_hours is not None else None,
    )


def _build_criterion(
    chk: _Checker, node: Any, fw_id: str, style: str, unit: str, outcome: str, what: str
) -> Criterion:
    node = chk.mapping(node, f"a criterion of {what}", _CRITERION_KEYS)
    code = chk.code(node, f"a criterion of {what}")
    crit_id = criterion_id(fw_id, style, unit, code)
    if crit_id in chk.criterion_ids:
        raise chk.fail(node, f"duplicate criterion code '{code}' ({crit_id})", "code")
    chk.criterion_ids.add(crit_id)
    methods = node.get("methods") or []
    if not isinstance(methods, list):
        raise chk.fail(node, f"criterion {crit_id}: methods must be a list")
    return Criterion(
        id=crit_id,
        code=code,
        text=chk.text(node, "text", f"criterion {crit_id}"),
        unit_code=unit,
        outcome_code=outcome,
        methods=tuple(str(m) for m in methods),
    )


def _optional_int(chk: _Checker, node: dict[str, Any], key: str, what: str) -> int | None:
    value = node.get(key)
    if value is None:
        return None
    if not isinstance(value, int):
        raise chk.fail(node, f"{what}: {key} must be a whole number")
    return value


def _check_references(
    chk: _Checker, extra: dict[str, Any], units: set[str], codes: set[str]
) -> None:
    """Framework-specific data may point at units and criteria: those must exist."""
    for sheet in extra.get("mark_sheets") or []:
        if isinstance(sheet, dict) and sheet.get("unit") not in units:
            raise chk.fail(sheet, f"mark sheet for unknown unit '{sheet.get('unit')}'", "unit")
    for duty in extra.get("duties") or []:
        for ksb in (duty.get("ksbs") or []) if isinstance(duty, dict) else []:
            if ksb not in codes:
                raise chk.fail(duty, f"duty {duty.get('code')} names unknown criterion '{ksb}'")


def _plain(value: Any) -> Any:
    """Drop the line-number wrappers so that extra data compares and serialises as usual."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_csv(text: str, source: str = "<framework.csv>") -> Framework:
    """One criterion a row; a unit's and an outcome's text are given on their first row."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c != "methods" and c not in (reader.fieldnames or [])]
    if missing:
        raise FrameworkError(source, 1, f"missing column '{missing[0]}'")
    top = _Map()
    top.line = 2
    units: dict[str, _Map] = {}
    outcomes: dict[tuple[str, str], _Map] = {}
    for row in reader:
        line = reader.line_num
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
    top["id"] = top.pop("framework", None)
    top["units"] = _List(units.values())
    return build_framework(top, source)


def _row_map(line: int, **values: Any) -> _Map:
    node = _Map(values)
    node.line = line
    return node


def load_file(path: Path) -> Framework:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(str(path), None, f"cannot be read: {exc}") from None
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path))
    if path.suffix.lower() in {".yaml", ".yml"}:
        return parse_yaml(text, str(path))
    raise FrameworkError(str(path), None, "must be a .yaml, .yml or .csv file")
