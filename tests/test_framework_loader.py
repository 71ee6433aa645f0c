"""A centre's own framework: imported from YAML or CSV, and refused with the line at fault."""

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
