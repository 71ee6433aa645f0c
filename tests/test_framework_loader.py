"""A centre's own framework: imported from YAML or CSV, and refused with the line at fault."""

import builtins
import errno
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from journal.frameworks.loader import FrameworkError, parse_csv, parse_yaml

GOOD_YAML = """\
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
          - code: "1.2"
            text: Explain who the designated person is
"""

GOOD_CSV = """\
framework,title,version,unit,unit_title,outcome,outcome_text,criterion,criterion_text,methods
safeguarding,Safeguarding mentor award,1,SG1,Keeping learners safe,1,Know the duties,1.1,\
Describe the duty,written assignment
,,,SG1,,1,,1.2,Explain who the designated person is,observation;evidence from work
"""


def test_a_valid_yaml_framework_gives_qualified_criterion_ids():
    fw = parse_yaml(GOOD_YAML, "sg.yaml")
    assert [c.id for c in fw.criteria] == ["safeguarding:SG1/1.1", "safeguarding:SG1/1.2"]


def test_a_valid_csv_framework_reads_one_criterion_a_row():
    fw = parse_csv(GOOD_CSV, "sg.csv")
    assert [c.id for c in fw.criteria] == ["safeguarding:SG1/1.1", "safeguarding:SG1/1.2"]
    assert fw.criteria[1].methods == ("observation", "evidence from work")


def test_duplicate_criterion_code_is_refused_naming_its_line():
    broken = GOOD_YAML.replace('code: "1.2"', 'code: "1.1"')
    with pytest.raises(FrameworkError) as err:
        parse_yaml(broken, "sg.yaml")
    assert err.value.line == 13
    assert "duplicate criterion code '1.1'" in str(err.value)
    assert "sg.yaml, line 13" in str(err.value)


def test_missing_criterion_text_is_refused_naming_its_line():
    broken = GOOD_YAML.replace("text: Explain who the designated person is", "text: ''")
    with pytest.raises(FrameworkError) as err:
        parse_yaml(broken, "sg.yaml")
    assert err.value.line == 14
    assert "has no text" in str(err.value)


def test_mark_sheet_for_an_unknown_unit_is_refused():
    broken = GOOD_YAML + "extra:\n  mark_sheets:\n    - unit: SG9\n      sections: []\n"
    with pytest.raises(FrameworkError) as err:
        parse_yaml(broken, "sg.yaml")
    assert err.value.line == 17
    assert "unknown unit 'SG9'" in str(err.value)


def test_misspelt_key_is_refused_rather_than_ignored():
    broken = GOOD_YAML.replace("text: Describe the duty", "txt: Describe the duty")
    with pytest.raises(FrameworkError, match=r"line 12: a criterion .* unknown key 'txt'"):
        parse_yaml(broken, "sg.yaml")


def test_invalid_yaml_syntax_names_the_line():
    with pytest.raises(FrameworkError, match="line 4: not valid YAML"):
        parse_yaml("id: x\ntitle: y\nunits: [\n", "bad.yaml")


def test_csv_row_with_an_unknown_unit_names_the_row_line():
    broken = GOOD_CSV + ",,,SG2,,1,,1.1,Something,\n"
    with pytest.raises(FrameworkError, match="line 4: unknown unit 'SG2'"):
        parse_csv(broken, "sg.csv")


def test_cli_import_of_a_broken_file_exits_non_zero_with_the_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FRAMEWORKS_DIR", str(tmp_path / "centre"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD_YAML.replace('code: "1.2"', 'code: "1.1"'), encoding="utf-8")
    assert main(["frameworks", "import", str(bad)]) == 1
    assert "line 13: duplicate criterion code '1.1'" in capsys.readouterr().err
    assert not (tmp_path / "centre").exists()


def test_cli_import_adds_the_framework_to_list_and_dump(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FRAMEWORKS_DIR", str(tmp_path / "centre"))
    good = tmp_path / "sg.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    assert main(["frameworks", "import", str(good)]) == 0
    capsys.readouterr()
    assert main(["frameworks", "dump"]) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert [f["id"] for f in dumped["frameworks"]] == ["ecomentor", "ilm", "st1379", "safeguarding"]


def test_cli_import_refuses_to_replace_a_built_in_framework(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FRAMEWORKS_DIR", str(tmp_path / "centre"))
    clash = tmp_path / "ilm.yaml"
    clash.write_text(GOOD_YAML.replace("id: safeguarding", "id: ilm"), encoding="utf-8")
    assert main(["frameworks", "import", str(clash)]) == 1
    assert "built-in" in capsys.readouterr().err


def test_dump_prints_the_three_frameworks_in_the_documented_shape(capsys):
    assert main(["frameworks", "dump"]) == 0
    data = json.loads(capsys.readouterr().out)
    ilm = next(f for f in data["frameworks"] if f["id"] == "ilm")
    assert set(ilm) >= {"id", "title", "version", "units"}
    unit = ilm["units"][5]
    assert unit["code"] == "D3.06"
    crit = unit["outcomes"][1]["criteria"][0]
    assert crit == {
        "id": "ilm:D3.06/2.1",
        "code": "2.1",
        "text": "Undertake mentoring in the workplace for at least six hours",
    }
    st = next(f for f in data["frameworks"] if f["id"] == "st1379")
    assert [u["code"] for u in st["units"]] == ["K", "S", "B"]
    assert len(st["duties"]) == 9


def test_show_prints_one_unit_readably(capsys):
    assert main(["frameworks", "show", "ilm", "D3.06"]) == 0
    out = capsys.readouterr().out
    assert "D3.06 Organise and undertake supervised mentoring in the workplace" in out
    assert "2.1  Undertake mentoring in the workplace for at least six hours" in out
    assert "At least 6 hours" in out


def test_show_an_unknown_unit_lists_the_units(capsys):
    assert main(["frameworks", "show", "ilm", "D9.99"]) == 2
    assert "D3.01" in capsys.readouterr().err


def test_db_upgrade_creates_the_schema(tmp_path: Path, monkeypatch, capsys):
    db = tmp_path / "sub" / "m.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert db.is_file()


def refused(text: str, source: str = "sg.yaml") -> FrameworkError:
    parse = parse_csv if source.endswith(".csv") else parse_yaml
    with pytest.raises(FrameworkError) as err:
        parse(text, source)
    return err.value


LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcd", "bcde", strict=True)
)


def test_yaml_aliases_are_refused_naming_the_line_of_the_first() -> None:
    reused = GOOD_YAML.replace(
        "text: Describe the duty to report a concern",
        "text: Describe the duty to report a concern\n            methods: &m [observation]",
    ).replace(
        "text: Explain who the designated person is",
        "text: Explain who the designated person is\n            methods: *m",
    )
    error = refused(reused)
    assert error.line == 16
    assert "alias" in error.problem and "*m" in error.problem


def test_a_yaml_alias_bomb_is_refused_before_it_expands() -> None:
    bomb = GOOD_YAML + "extra:\n  lol:\n    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    bomb += "".join(f"    {line}\n" for line in LAUGHS.splitlines())
    error = refused(bomb)
    assert error.line == 18 and "alias" in error.problem


def test_the_cli_refuses_an_alias_bomb_with_the_line_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRAMEWORKS_DIR", str(tmp_path / "centre"))
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + LAUGHS)
    assert main(["frameworks", "import", str(bomb)]) == 1
    err = capsys.readouterr().err
    assert "line 2: " in err and "alias" in err and "Traceback" not in err


def test_yaml_nested_too_deeply_is_refused_naming_the_line() -> None:
    error = refused(GOOD_YAML + "extra:\n  x: " + "[" * 3000 + "]" * 3000 + "\n")
    assert error.line == 16 and "nested" in error.problem


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
@pytest.mark.parametrize("source", ["sg.yaml", "sg.csv"])
def test_control_characters_are_refused_naming_their_line(char: str, source: str) -> None:
    good, line = (GOOD_CSV, 3) if source.endswith(".csv") else (GOOD_YAML, 14)
    error = refused(good.replace("Explain who", f"Explain{char} who"), source)
    assert error.line == line and "control character" in error.problem


def test_a_csv_field_over_128_kib_is_refused_naming_its_line() -> None:
    error = refused(GOOD_CSV.replace("Explain who", "x" * 140_000), "sg.csv")
    assert error.line == 3 and "longer than" in error.problem


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRAMEWORKS_DIR", str(tmp_path / "centre"))
    excel = tmp_path / "sg.csv"
    excel.write_text(GOOD_CSV, encoding="utf-8-sig")
    assert main(["frameworks", "import", str(excel)]) == 0
    assert "Imported" in capsys.readouterr().out
    assert not (tmp_path / "centre" / "safeguarding.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert parse_csv("\ufeff" + GOOD_CSV).id == "safeguarding"


@pytest.mark.parametrize(
    ("key", "value"),
    [("min_hours", "true"), ("min_hours", "no"), ("level", "true"), ("credit", "false")],
)
def test_true_or_false_is_refused_where_a_number_is_wanted(key: str, value: str) -> None:
    text = GOOD_YAML.replace(
        "    title: Keeping learners safe", f"    title: Keeping learners safe\n    {key}: {value}"
    )
    error = refused(text)
    assert error.line == 7 and key in error.problem and "number" in error.problem


@pytest.mark.parametrize(
    ("addition", "line", "problem"),
    [
        ("notes: 5\n", 15, "notes must be a list"),
        ("notes: [{a: 1}]\n", 15, "notes must be a list of texts"),
        ("extra:\n  mark_sheets: 5\n", 16, "mark_sheets must be a list"),
        ("extra:\n  mark_sheets: [{unit: SG1, sections: 5}]\n", 16, "sections must be a list"),
        ("extra:\n  mark_sheets:\n    - unit: SG1\n      sections: [{max: 5}]\n", 18, "no title"),
        ("extra:\n  mark_sheets: [{unit: SG1, pass_total: yes, sections: []}]\n", 16, "number"),
        ("extra:\n  duties: [{code: '1', ksbs: [{a: 1}]}]\n", 16, "ksbs must be a list"),
        ("extra:\n  duties: 7\n", 16, "duties must be a list"),
        ("extra:\n  methods: [5]\n", 16, "a method must be a mapping"),
        ("extra:\n  overall_grades: {a: 1}\n", 16, "overall_grades must be a list"),
    ],
)
def test_wrong_types_are_refused_naming_the_line(addition: str, line: int, problem: str) -> None:
    error = refused(GOOD_YAML + addition)
    assert (error.line, problem in error.problem) == (line, True), str(error)


def test_a_key_that_is_a_list_is_refused_naming_its_line() -> None:
    error = refused(GOOD_YAML.replace('version: "1"\n', 'version: "1"\n? [a]\n: b\n'))
    assert error.line == 4 and "key must be text" in error.problem


@pytest.mark.parametrize("value", ["yes", "2020-01-01", "[a, b]", "{a: b}"])
def test_a_text_written_as_another_type_is_refused_naming_the_line(value: str) -> None:
    error = refused(GOOD_YAML.replace("title: Keeping learners safe", f"title: {value}"))
    assert error.line == 6 and "title must be text" in error.problem


def test_an_infinite_or_negative_number_of_hours_is_refused() -> None:
    for value in (".inf", ".nan", "-1"):
        text = GOOD_YAML.replace(
            "    title: Keeping learners safe",
            f"    title: Keeping learners safe\n    min_hours: {value}",
        )
        assert refused(text).line == 7


def test_an_import_that_cannot_write_the_new_file_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    centre = tmp_path / "centre"
    monkeypatch.setenv("FRAMEWORKS_DIR", str(centre))
    old = tmp_path / "safeguarding.yaml"
    old.write_text(GOOD_YAML, encoding="utf-8")
    assert main(["frameworks", "import", str(old)]) == 0
    kept = (centre / "safeguarding.yaml").read_bytes()
    new = tmp_path / "sg.csv"
    new.write_text(GOOD_CSV.replace("Explain who", "Name who"), encoding="utf-8")

    real_open = builtins.open

    def disk_full(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(m in mode for m in "wax") and Path(file).parent == centre:
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", disk_full)
    monkeypatch.setattr(io, "open", disk_full)  # what pathlib opens files with
    with pytest.raises(OSError):
        main(["frameworks", "import", str(new)])
    monkeypatch.undo()
    assert sorted(p.name for p in centre.iterdir()) == ["safeguarding.yaml"]
    assert (centre / "safeguarding.yaml").read_bytes() == kept


def test_a_new_version_with_another_suffix_replaces_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    centre = tmp_path / "centre"
    monkeypatch.setenv("FRAMEWORKS_DIR", str(centre))
    first = tmp_path / "sg.yaml"
    first.write_text(GOOD_YAML, encoding="utf-8")
    second = tmp_path / "sg.csv"
    second.write_text(GOOD_CSV.replace("Explain who", "Name who"), encoding="utf-8")
    assert main(["frameworks", "import", str(first)]) == 0
    assert main(["frameworks", "import", str(second)]) == 0
    assert sorted(p.name for p in centre.iterdir()) == ["safeguarding.csv"]
    capsys.readouterr()
    assert main(["frameworks", "show", "safeguarding", "SG1"]) == 0
    assert "Name who" in capsys.readouterr().out


# --- Found by an attack on the import (issue 9, second pass) -----------------------------------


def test_a_number_of_thousands_of_digits_is_refused_naming_its_line():
    text = GOOD_YAML.replace(
        "    title: Keeping learners safe\n",
        "    title: Keeping learners safe\n    credit: " + "1" * 5001 + "\n",
    )
    with pytest.raises(FrameworkError, match=r"line 7: .*digits"):
        parse_yaml(text)


@pytest.mark.parametrize(
    ("escape", "name"),
    [("\\ud800", r"U\+D800"), ("\\u202eevil", r"U\+202E"), ("\\u200b", r"U\+200B")],
)
def test_a_hidden_or_broken_character_written_as_an_escape_is_refused(escape, name):
    text = GOOD_YAML.replace(
        "text: Describe the duty to report a concern", f'text: "Describe the duty{escape}"'
    )
    with pytest.raises(FrameworkError, match=rf"line 12: .*{name}"):
        parse_yaml(text)


def test_a_direction_override_typed_in_a_csv_is_refused():
    with pytest.raises(FrameworkError, match=r"line 3: .*U\+202E"):
        parse_csv(GOOD_CSV.replace("Explain who", "Explain \u202ewho"))


def test_a_yaml_merge_key_is_refused_plainly():
    text = GOOD_YAML.replace('      - code: "1"\n', '      - <<: {code: "9"}\n        code: "1"\n')
    with pytest.raises(FrameworkError, match=r"line 8: .*merge keys"):
        parse_yaml(text)


def test_a_negative_credit_is_refused():
    text = GOOD_YAML.replace(
        "    title: Keeping learners safe\n", "    title: Keeping learners safe\n    credit: -5\n"
    )
    with pytest.raises(FrameworkError, match=r"credit must not be negative"):
        parse_yaml(text)


def test_a_csv_row_with_more_fields_than_the_header_is_refused_naming_it():
    text = GOOD_CSV.replace("observation;evidence from work", "observation,extra,more")
    with pytest.raises(FrameworkError, match=r"line 3: .*more fields than the header"):
        parse_csv(text)


def test_a_csv_header_naming_a_column_twice_is_refused():
    text = GOOD_CSV.replace(
        "framework,title,version,unit,", "framework,title,version,unit,unit,", 1
    )
    with pytest.raises(FrameworkError, match=r"line 1: .*'unit' twice"):
        parse_csv(text)


def test_a_csv_quote_left_open_is_refused():
    with pytest.raises(FrameworkError, match=r"not valid CSV"):
        parse_csv(GOOD_CSV.replace("Explain who", '"Explain who'))
