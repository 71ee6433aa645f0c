"""Assessed tasks as data, and the strict seed test: every task element and criterion text is
the seed's own, after normalising only whitespace and line-end hyphens (a truncated, swapped or
misplaced text fails), and EcoMentor's methods come from Annex 2 and Annex 3."""

import re
from pathlib import Path

import pytest

from journal.frameworks.loader import FrameworkError, parse_csv, parse_yaml
from journal.frameworks.registry import load_registry

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
REGISTRY = load_registry(None)
ILM = REGISTRY.get("ilm")
ECO = REGISTRY.get("ecomentor")
KNOWLEDGE = ("knowledge assessment",)
PRACTICAL = ("practical assessment (observed by an independent evaluator)",)


def _seed_lines(framework) -> list[str]:
    seed = SEEDS / framework.source
    if not seed.is_file():
        pytest.skip(f"seed {framework.source} is not beside the checkout (expected in {SEEDS})")
    return seed.read_text(encoding="utf-8").splitlines()


def _pattern(raw: str) -> re.Pattern[str]:
    """A seed text as a pattern: whitespace runs are one space, a hyphen at a line end may be
    kept (a compound) or dropped (a broken word); nothing else may differ."""
    parts = re.split(r"([-\u2010]\s*\n\s*|\s+)", raw.strip())
    out = []
    for part in parts:
        if re.fullmatch(r"[-\u2010]\s*\n\s*", part):
            out.append(f"{re.escape(part[0])}?")
        elif part and part.isspace():
            out.append(" ")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


def _strict(text: str) -> str:
    return " ".join(text.split())


def _pieces(lines: list[str]) -> list[str]:
    """A seed passage cut at blank lines, bullets and page starts (a line the extraction
    begins with one space: a new page or block): the texts it prints, each whole."""
    pieces, current = [], []
    for line in [*lines, ""]:
        if re.match(r" \S", line) and current:
            pieces.append("\n".join(current))
            current = []
        if not line.strip():
            if current:
                pieces.append("\n".join(current))
            current = []
            continue
        for n, part in enumerate(line.split("•")):
            if n:
                if current:
                    pieces.append("\n".join(current))
                current = []
            if part.strip():
                current.append(part)
    return [p for p in (p.strip() for p in pieces) if p]


def _is_a_piece(text: str, pieces: list[str]) -> bool:
    return any(_pattern(p).fullmatch(_strict(text)) for p in pieces)


def _task_passage(lines: list[str], heading: str) -> list[str]:
    """Appendix B's task from its heading up to its mark sheet."""
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("MARK SHEET"))
    return lines[start:end]


ILM_TASK_HEADINGS = {
    "D3.03": "COACHING DIARY: D3.03",
    "D3.04": "PERSONAL DEVELOPMENT PLAN AND REFLECTIVE LOG: D3.04",
    "D3.06": "MENTORING DIARY: D3.06",
    "D3.07": "PERSONAL DEVELOPMENT PLAN AND REFLECTIVE LOG: D3.07",
}


def test_ilm_describes_the_four_diary_tasks_of_appendix_b():
    assert [t.code for t in ILM.tasks] == ["D3.03", "D3.04", "D3.06", "D3.07"]
    d306 = ILM.task("D3.06")
    assert [h.title for h in d306.headings] == [
        "Planning and organising mentoring sessions",
        "Reflections on the effectiveness of coaching activity",
    ]
    safe = next(e for e in d306.elements if e.code == "safe_environment")
    assert safe.criteria == ("ilm:D3.06/1.3",)
    assert safe.section == "Planning and organising mentoring sessions"
    assert safe.kinds == ("contract",) and safe.flow == "safe_environment"


@pytest.mark.parametrize("task_code", list(ILM_TASK_HEADINGS))
def test_every_ilm_task_text_is_a_whole_text_of_its_task_in_appendix_b(task_code: str):
    pieces = _pieces(_task_passage(_seed_lines(ILM), ILM_TASK_HEADINGS[task_code]))
    task = ILM.task(task_code)
    texts = [("task", task.text)]
    for heading in task.headings:
        texts += [("heading", heading.title), ("heading lead", heading.lead)]
        for e in heading.elements:
            texts += [(e.code, e.text), (f"{e.code} lead", e.lead)]
    wrong = [name for name, text in texts if text and not _is_a_piece(text, pieces)]
    assert wrong == []


def test_every_ilm_element_section_is_a_section_of_its_units_mark_sheet():
    for task in ILM.tasks:
        sheets = [
            s for s in ILM.extra["mark_sheets"] if task.unit in (s.get("unit"), *s.get("units", []))
        ]
        titles = {sec["title"] for s in sheets for sec in s["sections"]}
        assert {e.section for e in task.elements} <= titles, task.code


def test_a_text_cut_short_or_taken_from_another_task_is_not_a_piece_of_the_seed():
    pieces = _pieces(_task_passage(_seed_lines(ILM), "MENTORING DIARY: D3.06"))
    safe = (
        "Explain how you planned and organised for a safe environment in which to undertake"
        " mentoring"
    )
    assert _is_a_piece(safe, pieces)
    assert not _is_a_piece(safe.removesuffix(" mentoring"), pieces)
    assert not _is_a_piece(
        "Briefly summarise the agreed learning goals for the coaching sessions", pieces
    )


# --- EcoMentor: Annex 2 and Annex 3 --------------------------------------------------------

_CRITERION = re.compile(r"\s*(\d+\.\d+)\.\s+(.*)")
_MODULE = re.compile(r"\s*Module \d+ \((M\d_JM_\d+)\)")
_RUN_ON = re.compile(r"(?<=[a-z])\s*(?=\d+\.\d+\.\s)")  # "relationship3.3. Describe"


def _annex(lines: list[str], start: str, end: str | None, first_module: str | None):
    """(module, criterion code) -> the criterion's raw text as the annex prints it."""
    begin = next(i for i, line in enumerate(lines) if start in line)
    stop = next((i for i in range(begin, len(lines)) if end and end in lines[i]), len(lines))
    found: dict[tuple[str, str], str] = {}
    module, key, text = first_module, None, []

    def close() -> None:
        nonlocal key, text
        if key:
            found[key] = "\n".join(text)
        key, text = None, []

    for line in (part for raw in lines[begin:stop] for part in _RUN_ON.split(raw)):
        if (m := _MODULE.match(line)) is not None:
            close()
            module = m.group(1)
        elif (m := _CRITERION.match(line)) is not None:
            close()
            key, text = (module, m.group(1)), [m.group(2)]
        elif not line.strip() or line.strip().startswith("Learning outcomes"):
            close()
        elif key:
            text.append(line)
    close()
    return found


def _annexes():
    lines = _seed_lines(ECO)
    # Annex 2 prints no "Module 1" heading before its first table (see the framework's notes).
    knowledge = _annex(lines, "5.2 Annex 2: Assessment", "5.3 Annex 3: Assessment", "M1_JM_01")
    practical = _annex(lines, "5.3 Annex 3: Assessment", None, None)
    return knowledge, practical


def test_annex_2_and_annex_3_name_every_ecomentor_criterion_once():
    knowledge, practical = _annexes()
    assert (len(knowledge), len(practical)) == (56, 50)
    assert not set(knowledge) & set(practical)
    assert set(knowledge) | set(practical) == {(c.unit_code, c.code) for c in ECO.criteria}


def test_ecomentor_methods_come_from_the_annex_that_names_each_criterion():
    knowledge, practical = _annexes()
    wrong = []
    for c in ECO.criteria:
        key = (c.unit_code, c.code)
        if key in knowledge:
            expected = (KNOWLEDGE, "Annex 2")
        elif key in practical:
            expected = (PRACTICAL, "Annex 3")
        else:  # the annexes are silent: the section 2.1 layout reading stays, and says so
            expected = (c.methods, "section 2.1 layout")
        if (c.methods, c.methods_source) != expected:
            wrong.append(c.id)
    assert wrong == []


def test_every_ecomentor_criterion_text_equals_the_annexes_text_for_that_criterion():
    knowledge, practical = _annexes()
    printed = {**knowledge, **practical}
    wrong = [
        c.id
        for c in ECO.criteria
        if not _pattern(printed[(c.unit_code, c.code)]).fullmatch(_strict(c.text))
    ]
    assert wrong == []


def test_ecomentor_tasks_are_the_two_annexes_with_each_criterion_an_element():
    knowledge, practical = _annexes()
    assessments = {t.code: t for t in ECO.tasks}
    assert set(assessments) == {"knowledge", "practical"}
    for code, annex in (("knowledge", knowledge), ("practical", practical)):
        elements = assessments[code].elements
        assert sorted(e.criteria[0] for e in elements) == sorted(
            f"ecomentor:{m}/{c}" for m, c in annex
        )
        wrong = [
            e.code
            for e in elements
            if not _pattern(annex[tuple(e.criteria[0].split(":")[1].split("/"))]).fullmatch(
                _strict(e.text)
            )
        ]
        assert wrong == []
        assert all(e.tagged for e in elements)
    observed = assessments["practical"].elements[0]
    assert observed.kinds == ("evidence",)
    assert observed.each == ((("evidence_type", ("observation", "witness")),),)


# --- ILM criteria, strictly ------------------------------------------------------------------


def _unit_passages(lines: list[str]) -> dict[str, list[str]]:
    """Each unit's pages, from its ' Title:' line to the next unit's (the last to Appendix B)."""
    starts = [i for i, line in enumerate(lines) if line.startswith(" Title: ")]
    end = next(
        i for i, line in enumerate(lines) if "WORK-BASED ASSIGNMENT: D3.01 AND D3.02" in line
    )
    bounds = [*starts[1:], end]
    return {u.code: lines[s:e] for u, s, e in zip(ILM.units, starts, bounds, strict=True)}


def test_every_ilm_outcomes_criteria_read_in_order_as_one_text_of_its_unit():
    """The unit tables print an outcome's criteria as one run of text: joined in order they
    must be that run, whole, in the unit's own pages."""
    passages = _unit_passages(_seed_lines(ILM))
    wrong = []
    for unit in ILM.units:
        pieces = _pieces(passages[unit.code])
        for outcome in unit.outcomes:
            if not _is_a_piece(" ".join(c.text for c in outcome.criteria), pieces):
                wrong.append(f"{unit.code} outcome {outcome.code}")
    assert wrong == []


# --- a centre's own framework with tasks -----------------------------------------------------

CENTRE = """\
id: safeguarding
title: Safeguarding mentor award
version: "1"
units:
  - code: SG1
    title: Keeping learners safe
    outcomes:
      - code: "1"
        text: Know the safeguarding duties
        criteria:
          - code: "1.1"
            text: Describe the duty to report a concern
tasks:
  - code: SG-D
    title: Safeguarding diary
    unit: SG1
    headings:
      - title: Reporting
        elements:
          - code: report
            text: Record a concern you reported
            criteria: ["1.1"]
            kinds: [session]
            fields: [summary]
            flow: log
"""


def test_a_centres_yaml_framework_carries_a_task():
    fw = parse_yaml(CENTRE, "sg.yaml")
    element = fw.task("SG-D").elements[0]
    assert element.criteria == ("safeguarding:SG1/1.1",)
    assert element.short == "Record a concern you reported"
    assert fw.to_dict()["tasks"][0]["headings"][0]["elements"][0]["kinds"] == ["session"]


@pytest.mark.parametrize(
    ("broken", "line", "problem"),
    [
        ("kinds: [session]", 23, "unknown entry kind 'meeting'"),
        ("fields: [summary]", 24, "no kind of session has a field 'mood'"),
        ('criteria: ["1.1"]', 22, "names unknown criterion '9.9'"),
        ("flow: log", 25, "unknown flow 'dance'"),
        ("unit: SG1\n    headings", 16, "unknown unit 'SG9'"),
    ],
)
def test_a_wrong_task_element_is_refused_naming_its_line(broken: str, line: int, problem: str):
    replacement = {
        "kinds: [session]": "kinds: [meeting]",
        "fields: [summary]": "fields: [mood]",
        'criteria: ["1.1"]': 'criteria: ["9.9"]',
        "flow: log": "flow: dance",
        "unit: SG1\n    headings": "unit: SG9\n    headings",
    }[broken]
    with pytest.raises(FrameworkError) as err:
        parse_yaml(CENTRE.replace(broken, replacement), "sg.yaml")
    assert problem in str(err.value)
    assert err.value.line == line


def test_an_element_without_kinds_is_refused():
    with pytest.raises(FrameworkError, match="names no entry kinds"):
        parse_yaml(CENTRE.replace("            kinds: [session]\n", ""), "sg.yaml")


def test_a_centres_csv_framework_carries_a_task_in_its_own_columns():
    csv_text = (
        "framework,title,version,unit,unit_title,outcome,outcome_text,criterion,criterion_text,"
        "methods,task,task_title,task_heading,task_element,element_kinds\n"
        "sg,Safeguarding,1,SG1,Keeping safe,1,Know,1.1,Describe the duty,,SG-D,"
        "Safeguarding diary,Reporting,Record a concern you reported,session;reflection\n"
        ",,,SG1,,1,,1.2,Explain the person,,,,,,\n"
    )
    fw = parse_csv(csv_text, "sg.csv")
    element = fw.task("SG-D").elements[0]
    assert (element.text, element.kinds) == (
        "Record a concern you reported",
        ("session", "reflection"),
    )
    assert element.criteria == ("sg:SG1/1.1",)
    with pytest.raises(FrameworkError) as err:
        parse_csv(csv_text.replace("session;reflection", "party"), "sg.csv")
    assert err.value.line == 2 and "unknown entry kind 'party'" in str(err.value)
