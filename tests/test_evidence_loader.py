"""The evidence loader: real data load cleanly; broken rows fail precisely."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from greatterror.evidence.errors import DataFileError
from greatterror.evidence.loader import load_evidence
from greatterror.paths import evidence_dir


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "evidence"
    shutil.copytree(evidence_dir(), target)
    return target


def _rewrite(path: Path, edit) -> int:
    """Apply ``edit`` to the rows of a CSV file; return the line of the first changed row."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = list(reader)
    changed_line = edit(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return changed_line


def _row_index(rows: list[dict[str, str]], column: str, value: str) -> int:
    return next(i for i, r in enumerate(rows) if r[column] == value)


def test_every_record_id_is_kept(evidence) -> None:
    record = Path(__file__).resolve().parents[2] / "shared" / "data" / "historical_record.csv"
    if not record.exists():
        pytest.skip("shared/ is not beside this checkout")
    with record.open(newline="", encoding="utf-8") as handle:
        ids = {row["id"] for row in csv.DictReader(handle)}
    assert ids <= set(evidence.facts)


def test_every_fact_cites_a_known_source(evidence) -> None:
    for fact in evidence.facts.values():
        assert fact.source
        for key in fact.all_sources():
            assert key in evidence.sources


def test_no_web_addresses_in_data() -> None:
    for path in evidence_dir().glob("*.csv"):
        text = path.read_text(encoding="utf-8").lower()
        for marker in ("http://", "https://", "www.", "wikipedia"):
            assert marker not in text, f"{path.name} contains {marker!r}"


def test_limit_of_category_one(evidence) -> None:
    assert evidence.value("G3-lim-cat1") == 75950
    assert evidence.value("G3-lim-cat2") == 193000


def test_republic_limits_add_up(evidence) -> None:
    top = [lim for lim in evidence.limits if lim.level in ("republic", "camps")]
    assert sum(lim.cat1 or 0 for lim in top) == evidence.value("G3-lim-cat1")
    assert sum(lim.cat2 or 0 for lim in top) == evidence.value("G3-lim-cat2")


def test_limit_increases_are_well_formed(evidence) -> None:
    """Known region or republic codes, categories that add up, a fact behind every row."""
    regions = evidence_dir().parent / "population" / "regions.csv"
    with regions.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # a republic divided into oblasts has no row of its own; its code is a republic_code
    codes = {row["region_code"] for row in rows} | {row["republic_code"] for row in rows}
    for inc in evidence.increases:
        assert inc.region_code is None or inc.region_code in codes, inc.id
        if None not in (inc.cat1, inc.cat2, inc.total):
            assert inc.cat1 + inc.cat2 == inc.total, inc.id
        assert inc.fact_id in evidence.facts, inc.id


def test_death_sentences_add_up(evidence) -> None:
    assert evidence.value("G1-1937-death") + evidence.value("G1-1938-death") == evidence.value(
        "G2-shot"
    )


def test_ranges_keep_both_sources(evidence) -> None:
    ranged = [
        f
        for f in evidence.facts.values()
        if f.value_low is not None and f.value_high is not None and f.value_low != f.value_high
    ]
    assert ranged, "the record has disputed figures; they must survive as ranges"
    for fact in ranged:
        assert fact.low_source and fact.high_source


def test_trials_are_complete(evidence) -> None:
    assert {
        "leningrad_centre_1934",
        "trial_of_16_1936",
        "trial_of_17_1937",
        "military_1937",
        "trial_of_21_1938",
    } <= set(evidence.trials)
    t21 = evidence.trials["trial_of_21_1938"]
    assert (t21.defendants, t21.death_sentences) == (21, 18)


def test_broken_unit_names_file_line_and_field(data_copy: Path) -> None:
    def edit(rows):
        i = _row_index(rows, "id", "G1-1937-conv")
        rows[i]["unit"] = "people"
        return i + 2  # header is line 1

    line = _rewrite(data_copy / "facts.csv", edit)
    with pytest.raises(DataFileError) as info:
        load_evidence(data_copy)
    message = str(info.value)
    assert message.startswith(
        f"evidence/facts.csv, line {line}, field 'unit': 'people' is not allowed; allowed values: persons"
    )


def test_broken_date_is_reported(data_copy: Path) -> None:
    def edit(rows):
        i = _row_index(rows, "id", "G12-16")
        rows[i]["date"] = "1937-07-32"
        return i + 2

    line = _rewrite(data_copy / "timeline.csv", edit)
    with pytest.raises(DataFileError, match=rf"evidence/timeline.csv, line {line}, field 'date'"):
        load_evidence(data_copy)


def test_unknown_source_key_is_reported(data_copy: Path) -> None:
    def edit(rows):
        i = _row_index(rows, "id", "G2-shot")
        rows[i]["source"] = "no_such_work"
        return i + 2

    line = _rewrite(data_copy / "facts.csv", edit)
    with pytest.raises(
        DataFileError,
        match=rf"facts.csv, line {line}, field 'source': unknown source key 'no_such_work'",
    ):
        load_evidence(data_copy)


def test_limit_sum_violation_is_reported(data_copy: Path) -> None:
    def edit(rows):
        i = _row_index(rows, "region_code", "armenian_ssr")
        rows[i]["cat1"] = str(int(rows[i]["cat1"]) + 1)
        rows[i]["total"] = str(int(rows[i]["total"]) + 1) if rows[i]["total"] else ""
        return i + 2

    _rewrite(data_copy / "limits.csv", edit)
    with pytest.raises(
        DataFileError,
        match=r"limits.csv, field 'cat1': republic cat1 limits add up to 75951, but fact G3-lim-cat1 gives 75950",
    ):
        load_evidence(data_copy)


def test_yearly_sum_violation_is_reported(data_copy: Path) -> None:
    def edit(rows):
        i = _row_index(rows, "id", "G1-1938-death")
        rows[i]["value"] = "328619"
        for col in ("value_low", "value_high"):
            if rows[i][col]:
                rows[i][col] = "328619"
        return i + 2

    _rewrite(data_copy / "facts.csv", edit)
    with pytest.raises(
        DataFileError,
        match=r"sum_checks.csv, line 2, field 'total': G1-1937-death \+ G1-1938-death = 681693, but G2-shot = 681692",
    ):
        load_evidence(data_copy)


def test_missing_column_is_reported(data_copy: Path) -> None:
    path = data_copy / "trials.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("court", "tribunal")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        DataFileError,
        match=r"trials.csv, line 1: header does not match the schema; missing columns: court; unexpected columns: tribunal",
    ):
        load_evidence(data_copy)


def test_unquoted_comma_is_reported_with_its_line(data_copy: Path) -> None:
    path = data_copy / "timeline.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header_cells = len(lines[0].split(","))
    lines.append("FC-test,1938-09-30,,foreign_crisis,Munich, the agreement,,haslam1984,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_evidence(data_copy)
    assert str(info.value) == (
        f"evidence/timeline.csv, line {len(lines)}: row has {header_cells + 1} cells but the "
        f"header has {header_cells} (is a text cell with a comma missing its quotes?)"
    )
