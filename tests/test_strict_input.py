"""Strict input and recovered state: scenarios, --set, evidence search, data files, databases."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.cli.run import parse_sets
from greatterror.evidence.errors import DataFileError
from greatterror.evidence.loader import load_evidence
from greatterror.evidence.store import query_evidence
from greatterror.model.params import ParameterError
from greatterror.model.scenario import MAX_EVENTS, ScenarioError, load_scenario
from greatterror.paths import HOME_ENV, evidence_dir, population_data_dir, scenarios_dir
from greatterror.population.inputs import load_inputs
from greatterror.results.rebuild import rebuild_registry
from greatterror.results.registry import RegistryError, list_runs, record_run

runner = CliRunner()
HISTORICAL = (scenarios_dir() / "historical.toml").read_text(encoding="utf-8")


def scenario_file(tmp_path: Path, old: str, new: str, name: str = "s.toml") -> Path:
    assert old in HISTORICAL
    path = tmp_path / name
    path.write_text(HISTORICAL.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "[mechanisms]",
            '[mechanisms]\nfamily_arrests = "yes"',
            "mechanisms.family_arrests: expected true or false (written without quotes), got 'yes'",
        ),
        (
            "date = 1936-09-26",
            'date = "1936-09-26"',
            "events.5.date: expected a TOML date such as 1937-07-30 (written without quotes), "
            "got '1936-09-26'",
        ),
        (
            "start = 1934-12-01",
            "start = 1937",
            "start: expected a TOML date such as 1937-07-30 (written without quotes), got 1937",
        ),
        (
            'action = "kirov_murder"',
            'action = "kirov_murder"\nwhen = 1',
            "events.0.when: unknown key; allowed keys: date, action, evidence, operation",
        ),
        (
            'name = "historical"',
            'name = "historical"\npolicy = 1',
            "policy: 1 is not allowed; allowed values: scripted or endogenous",
        ),
        (
            'opens = ["party"]',
            'opens = "party"',
            'events.9.opens: expected a list such as ["party"] (in square brackets), '
            "got 'party'; allowed: opposition, party, army, nkvd",
        ),
    ],
)
def test_scenario_fields_are_strictly_typed(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_file(tmp_path, old, new))
    assert message in str(info.value)


def test_scenario_size_is_capped_and_repeated_events_refused(tmp_path: Path) -> None:
    first = HISTORICAL.index("[[events]]")
    second = HISTORICAL.index("[[events]]", first + 1)
    block = HISTORICAL[first:second]
    repeated = tmp_path / "repeated.toml"
    repeated.write_text(HISTORICAL + "\n" + block, encoding="utf-8")
    # the appended copy is the scenario's last event (its index: the count of events before it)
    last = HISTORICAL.count("[[events]]")
    with pytest.raises(ScenarioError, match=rf"events\[{last}\]: repeats events\[0\]"):
        load_scenario(repeated)
    huge = tmp_path / "huge.toml"
    huge.write_text(HISTORICAL + ("\n" + block) * 100_000, encoding="utf-8")
    with pytest.raises(ScenarioError, match="larger than 1,000,000 bytes"):
        load_scenario(huge)
    many = tmp_path / "many.toml"
    events = "".join(
        f'\n[[events]]\ndate = 1937-01-01\naction = "plenum"\nevidence = "x{i}"\n'
        for i in range(MAX_EVENTS + 1)
    )
    many.write_text(HISTORICAL + events, encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"events: too long: at most {MAX_EVENTS} allowed"):
        load_scenario(many)


def test_scenario_paths_binary_folders_and_files_without_suffix(tmp_path: Path) -> None:
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\x87\x00\xff" * 100)
    with pytest.raises(ScenarioError, match=r"bin.toml: not a UTF-8 text file \(byte 0\)"):
        load_scenario(binary)
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario(tmp_path)
    plain = tmp_path / "myscenario"
    plain.write_text(HISTORICAL, encoding="utf-8")
    assert load_scenario(plain).name == "historical"  # read as a file, not a shipped name


def test_a_bare_value_for_a_list_shows_the_list_form(tmp_path: Path) -> None:
    """A prior's arguments written as one number (args = 0.5) are a list the user meant:
    the message shows the bracketed form, without quoting a number as a string."""
    path = tmp_path / "x.toml"
    path.write_text(
        'name = "x"\ndescription = "x"\nextends = "historical"\n'
        '[priors.names_acted_on]\nkind = "uniform"\nargs = 0.5\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "priors.names_acted_on.args: expected a list such as [0.5] (in square brackets), " in (
        str(info.value)
    )


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    """A file with several mistakes names each (the schema's and each parameter's), so that
    they are fixed in one pass; the command line exits 2 and prints them all."""
    path = tmp_path / "x.toml"
    path.write_text(
        'name = "x"\ndescription = "x"\nextends = "historical"\npolicy = "weird"\n'
        "start = 1937\n[parameters]\nnames_per_confession = -3\nno_such_par = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    assert lines[0] == "x.toml: 4 problems:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "start",
        "policy",
        "parameters.names_per_confession",
        "parameters.no_such_par",
    ]
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "parameters.no_such_par: unknown parameter" in result.output
    assert not (tmp_path / "out").exists()


def test_a_long_list_of_problems_is_cut_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    rows = "".join(f"no_such_{i} = 1\n" for i in range(13))
    path.write_text(
        f'name = "x"\ndescription = "x"\nextends = "historical"\n[parameters]\n{rows}',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    assert lines[0] == "x.toml: 13 problems:"
    assert len(lines) == 1 + 10 + 1
    assert lines[-1] == "  and 3 more"


def test_a_repeated_set_key_is_an_error() -> None:
    assert parse_sets(["names_acted_on=0", "family_arrest=1", "M12=off"]) == (
        {"names_acted_on": 0.0, "family_arrest": 1.0},
        {"M12": False},
    )
    with pytest.raises(ParameterError, match="names_acted_on is given more than once"):
        parse_sets(["names_acted_on=0", " names_acted_on = 1"])
    with pytest.raises(ParameterError, match="M12 is given more than once"):
        parse_sets(["M12=off", "M12=on"])


def test_evidence_search_matches_wildcards_literally_and_refuses_empty() -> None:
    everything = runner.invoke(app, ["evidence", "search", "%", "--json"])
    assert everything.exit_code == 0
    literal = __import__("json").loads(everything.output)
    assert all("%" in str(h["text"]) + str(h["scope"]) + str(h["id"]) or h for h in literal)
    evidence = load_evidence()
    assert len(literal) < len(evidence.facts)  # not the whole evidence base
    underscore = __import__("json").loads(
        runner.invoke(app, ["evidence", "search", "G_-", "--json"]).output
    )
    assert underscore == []  # "_" would match any character in LIKE: G1-, G2-, ...
    for empty in ("", "   "):
        result = runner.invoke(app, ["evidence", "search", empty])
        assert result.exit_code == 2 and "give some text to look for" in result.output


def copy_data(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def test_data_files_refuse_negative_counts_empty_counts_and_nan(tmp_path: Path) -> None:
    data = copy_data(tmp_path, evidence_dir())
    facts = data / "facts.csv"
    original = facts.read_text(encoding="utf-8")
    facts.write_text(original.replace(",208069,208069,208069,", ",-208069,,,", 1), encoding="utf-8")
    with pytest.raises(
        DataFileError, match=r"facts.csv, line 2, field 'value': -208069 is negative"
    ):
        load_evidence(data)
    facts.write_text(original.replace(",208069,208069,208069,", ",nan,,,", 1), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"facts.csv, line 2, field 'value'"):
        load_evidence(data)
    facts.write_text(original, encoding="utf-8")
    trials = data / "trials.csv"
    lines = trials.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = next(__import__("csv").reader([lines[1]]))
    cells[header.index("defendants")] = ""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, cells, *csv.reader(lines[2:])])
    trials.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"trials.csv, line 2, field 'defendants'.*empty"):
        load_evidence(data)


def test_non_utf8_data_files_are_named(tmp_path: Path) -> None:
    data = copy_data(tmp_path, evidence_dir())
    facts = data / "facts.csv"
    facts.write_bytes(facts.read_bytes().replace(b"USSR", b"\xff\xfeSSR", 1))
    with pytest.raises(DataFileError, match=r"evidence/facts.csv, line 2: not UTF-8 text"):
        load_evidence(data)
    population = copy_data(tmp_path, population_data_dir())
    regions = population / "marginals.csv"
    regions.write_bytes(b"\xff" + regions.read_bytes())
    with pytest.raises(DataFileError, match=r"marginals.csv, line 1: not UTF-8 text"):
        load_inputs(population)


def test_a_damaged_evidence_database_is_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "evidence.duckdb"

    def count(con) -> int:
        return int(con.execute("SELECT count(*) FROM facts").fetchone()[0])

    facts = query_evidence(count, db)
    size = db.stat().st_size
    damaged = bytearray(db.read_bytes())
    for at in range(12_288, size, 4096):
        damaged[at : at + 64] = b"\xff" * 64
    db.write_bytes(bytes(damaged))
    assert query_evidence(count, db) == facts
    db.write_bytes(db.read_bytes()[:5000])  # truncated
    assert query_evidence(count, db) == facts
    db.write_bytes(os.urandom(4096))
    assert query_evidence(count, db) == facts


def test_a_damaged_registry_is_named_and_rebuilt_without_losing_runs(tmp_path: Path) -> None:
    registry = tmp_path / "registry.duckdb"
    when = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
    summary = {
        "scenario": "historical",
        "scale": 0.01,
        "seed": 1,
        "version": "0.1.0",
        "parameters": {"a": 1.0},
    }
    ids = [
        record_run(
            {**summary, "run_id": f"20240501-12000{i}-abcde{i}"},
            tmp_path / f"r{i}",
            path=registry,
            created=when,
        )
        for i in range(3)
    ]
    registry.write_bytes(os.urandom(5000))
    with pytest.raises(RegistryError, match=f"the run registry {registry} is damaged"):
        list_runs(path=registry)
    report = rebuild_registry([], path=registry)
    assert report.runs == 3 and report.from_journal == 3 and report.kept_damaged is not None
    assert [r["run_id"] for r in list_runs(path=registry)] == ids


def test_runs_rebuild_finds_run_folders(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = runner.invoke(app, ["runs", "rebuild", str(tmp_path)], env={HOME_ENV: str(home)})
    assert result.exit_code == 0, result.output
    assert "rebuilt with 0 runs" in " ".join(result.output.split())


def test_runs_rebuild_names_each_folder_it_does_not_read(tmp_path: Path) -> None:
    """A folder given to rebuild that holds no run was passed over in silence ("0 from run
    folders"): each is named with the reason, and a search that found nothing says so."""
    import greatterror as gt

    home, runs = tmp_path / "home", tmp_path / "runs"
    gt.Sim("historical", scale=0.0001, seed=1).run().save(runs / "good", register=False)
    shutil.copytree(runs / "good", runs / "edited")
    (runs / "edited" / "summary.json").write_text("{corrupt", encoding="utf-8")
    (runs / "unmarked").mkdir()
    (runs / "unmarked" / "summary.json").write_text("{corrupt", encoding="utf-8")
    (tmp_path / "empty").mkdir()

    def rebuild(*folders: Path) -> tuple[int, str]:
        result = runner.invoke(
            app, ["runs", "rebuild", *map(str, folders)], env={HOME_ENV: str(home)}
        )
        return result.exit_code, " ".join(result.output.split())

    code, said = rebuild(runs, tmp_path / "empty")
    assert code == 0 and "rebuilt with 1 runs" in said and "1 from run folders" in said
    assert f"skipped: {runs / 'edited'}: " in said and "summary.json was changed" in said
    assert f"skipped: {runs / 'unmarked'}: no greatterror-run.json" in said
    assert f"skipped: {tmp_path / 'empty'}: no run folder under it" in said
    assert f"{runs / 'good'}:" not in said and "no run was found" not in said
    code, said = rebuild(runs / "unmarked", tmp_path / "empty")
    assert code == 0 and f"no run was found under {runs / 'unmarked'}, {tmp_path / 'empty'}" in said
    # a folder named twice is read, and its skipped folders named, once (review35)
    code, said = rebuild(runs, runs)
    assert code == 0 and said.count(f"skipped: {runs / 'unmarked'}:") == 1, said
    assert said.count(f"skipped: {runs / 'edited'}:") == 1, said
