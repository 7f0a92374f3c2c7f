"""``dms-hub mapping validate|test|check`` through hub.cli.main."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.mapping.golden import find_samples, mapping_files
from hub.cli import main

from .conftest import SHIPPED

SALES_ORDER = SHIPPED / "generic" / "sales_order.out.yaml"
SAMPLES = SHIPPED / "generic" / "sales_order.out.yaml.samples"
# Counted, not written down: every connector adds files and samples.
SHIPPED_FILES = len(mapping_files(SHIPPED))
SHIPPED_SAMPLES = sum(len(find_samples(path)) for path in mapping_files(SHIPPED))
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def run_cli(*args: str) -> tuple[int, str, str]:
        code = main(["mapping", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_cli


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the shipped mappings, free to break."""
    copy = tmp_path / "mappings"
    shutil.copytree(SHIPPED, copy)
    return copy


def test_validate_the_shipped_mappings(run: Run) -> None:
    code, out, err = run("validate", "--root", str(SHIPPED))

    assert code == 0
    assert f"ok {SALES_ORDER}" in out
    assert err == ""


def test_validate_a_broken_file_names_file_and_line(run: Run, root: Path) -> None:
    broken = root / "generic" / "stock.in.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("- xref: erp_material_sku", "- xref_lookup: erp_material_sku"))
    line = next(n for n, t in enumerate(broken.read_text().splitlines(), 1) if "xref_lookup" in t)

    code, out, err = run("validate", str(root))

    assert code == 1
    assert f"{broken}:{line}: sku (transforms[1]): unknown transform 'xref_lookup'" in err
    assert f"1 of {SHIPPED_FILES} mapping files have problems" in err
    assert "ok " in out  # the other file is still checked and reported


def test_validate_yaml_errors_and_missing_paths(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nfields: [\n")

    code, _, err = run("validate", str(bad))
    assert code == 1
    assert f"{bad}:3: YAML syntax" in err

    code, _, err = run("validate", str(tmp_path / "nowhere"))
    assert code == 1
    assert "no such file or folder" in err


def test_validate_uses_the_environment_root(
    run: Run, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DMS_MAPPINGS_DIR", str(root))

    code, out, _ = run("validate")

    assert code == 0
    assert str(root / "generic" / "stock.in.yaml") in out


def test_test_prints_the_mapped_record(run: Run) -> None:
    code, out, err = run("test", str(SALES_ORDER), "--sample", str(SAMPLES / "full.in.json"))

    assert code == 0, err
    result = json.loads(out)
    assert result["customer"] == {"code": "C-10001", "dealerCode": "D001"}  # xref.json found
    assert '"gross": 1356.00' in out  # money exactly as mapped


def test_test_prints_the_errors(run: Run) -> None:
    code, out, err = run("test", str(SALES_ORDER), "--sample", str(SAMPLES / "bad_lines.in.json"))

    assert code == 1
    assert out == ""
    assert f"{SALES_ORDER}:119: lines[0].quantity: required value is missing" in err
    assert "lines[1].materialCode: xref: no entry for key 'SKU-9999'" in err


def test_test_takes_an_explicit_cross_reference(run: Run, tmp_path: Path) -> None:
    tables = tmp_path / "tables.json"
    tables.write_text(json.dumps({"erp_customer": {}, "erp_material": {}}))

    code, _, err = run(
        "test", str(SALES_ORDER), "--sample", str(SAMPLES / "full.in.json"), "--xref", str(tables)
    )

    assert code == 1
    assert "customer.code: xref: no entry for key 'D001'" in err


def test_test_reports_a_broken_mapping_file(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nsystem: x\nentity: y\ndirection: in\nfields: {a: '$.['}\n")

    code, out, err = run("test", str(broken), "--sample", str(SAMPLES / "full.in.json"))

    assert (code, out) == (1, "")
    assert f"{broken}:5: a (source): bad jsonpath" in err


def test_validate_an_empty_folder_fails(run: Run, tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path))

    assert code == 1
    assert "no mapping files found" in err


def test_test_reports_a_bad_sample_file(run: Run, tmp_path: Path) -> None:
    sample = tmp_path / "s.json"
    sample.write_text("{oops")

    code, _, err = run("test", str(SALES_ORDER), "--sample", str(sample))

    assert code == 1
    assert f"{sample}:1:2: cannot read JSON: Expecting property name" in err


def test_check_runs_every_golden_sample(run: Run) -> None:
    code, out, _ = run("check", "--root", str(SHIPPED))

    assert code == 0
    assert "ok   " in out
    assert f"{SHIPPED_SAMPLES} passed, 0 failed" in out


def test_check_fails_on_a_sample_that_differs(run: Run, root: Path) -> None:
    expected = root / "generic" / "stock.in.yaml.samples" / "on_hand.out.json"
    expected.write_text(expected.read_text().replace('"qty_on_hand": 120', '"qty_on_hand": 121'))

    code, out, err = run("check", "--root", str(root))

    assert code == 1
    assert "FAIL" in err
    assert "on_hand" in err
    assert '"qty_on_hand": 121' in err
    assert f"{SHIPPED_SAMPLES - 1} passed, 1 failed" in out


def test_check_with_no_mappings_fails(run: Run, tmp_path: Path) -> None:
    code, _, err = run("check", "--root", str(tmp_path))

    assert code == 1
    assert "no mapping files" in err
