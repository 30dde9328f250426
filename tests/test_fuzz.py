"""Property tests: random and mutated input never raises anything but greatterror's own errors.

The scenario parser, ``--set`` parsing and the CSV loader are the doors
through which user-written text enters the program. Whatever comes in, they
either accept it or raise a :class:`GreatterrorError` whose message the
command line prints; any other exception would reach the user as a bug
report. Example counts are kept small so that the file runs in seconds.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greatterror.cli.run import parse_sets
from greatterror.errors import GreatterrorError
from greatterror.evidence.csvrows import read_rows
from greatterror.evidence.schema import Fact, Trial
from greatterror.model.params import PARAMETERS
from greatterror.model.scenario import load_scenario
from greatterror.paths import evidence_dir, population_data_dir, scenarios_dir
from greatterror.population.inputs import MarginalRow

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HISTORICAL = (scenarios_dir() / "historical.toml").read_text(encoding="utf-8")
#: values that TOML can hold, in the places a scenario author might put them
TOML_VALUES = st.one_of(
    st.sampled_from(
        [
            '"yes"',
            "true",
            "1937",
            "1937-07-30",
            '"1937-07-30"',
            "-1",
            "1e400",
            "nan",
            "[]",
            "{}",
            '""',
            '"\\u0000"',
            '"../../etc"',
            "inf",
            "[1, 2]",
            '"historical"',
        ]
    ),
    st.integers().map(str),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
)
KEYS = st.sampled_from(
    [
        "name",
        "start",
        "end",
        "policy",
        "extends",
        "description",
        "colour",
        "mechanisms.family_arrests",
        "parameters.names_acted_on",
        "parameters.nope",
    ]
)


def _mutated(text: str, data: st.DataObject) -> str:
    """Cut, repeat or overwrite a slice of the text, or set a key to an odd value."""
    how = data.draw(st.sampled_from(["cut", "repeat", "overwrite", "set", "bytes"]))
    at = data.draw(st.integers(0, len(text)))
    size = data.draw(st.integers(0, 200))
    if how == "cut":
        return text[:at] + text[at + size :]
    if how == "repeat":
        return text[:at] + text[at : at + size] * 3 + text[at:]
    if how == "overwrite":
        return text[:at] + data.draw(st.text(max_size=40)) + text[at + size :]
    if how == "set":
        key, value = data.draw(KEYS), data.draw(TOML_VALUES)
        table, _, field = key.rpartition(".")
        line = f"{field} = {value}\n"
        if table:
            return text.replace(f"[{table}]\n", f"[{table}]\n{line}", 1)
        return line + text
    return text[:at] + data.draw(st.binary(max_size=40)).decode("latin-1") + text[at:]


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=st.data())
def test_scenario_parser_raises_only_its_own_errors(fuzz_dir: Path, data: st.DataObject) -> None:
    path = fuzz_dir / "scenario.toml"
    if data.draw(st.booleans()):
        path.write_bytes(data.draw(st.binary(max_size=300)))
    else:
        path.write_text(_mutated(HISTORICAL, data), encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(GreatterrorError):
        load_scenario(path)


NAMES = st.sampled_from(
    [p.name for p in PARAMETERS[:5]]
    + ["", " ", "nope", "a=b", "M12", "m99", "M24", "denunciation", "purge_of_purgers"]
)
RAW = st.one_of(
    st.text(max_size=15),
    st.sampled_from(
        ["nan", "inf", "-inf", "1e400", "-0", "0x10", "1_0", "", "True", "2.5", "on", "OFF", "0.3"]
    ),
)


@FUZZ
@given(
    items=st.lists(st.one_of(st.tuples(NAMES, RAW).map("=".join), st.text(max_size=20)), max_size=4)
)
def test_set_parsing_raises_only_its_own_errors(items: list[str]) -> None:
    try:
        values, switches = parse_sets(items)
    except GreatterrorError:
        return
    assert all(isinstance(v, float) for v in values.values())
    assert all(isinstance(v, bool) for v in switches.values())


CSV_FILES = [
    (evidence_dir() / "facts.csv", Fact),
    (evidence_dir() / "trials.csv", Trial),
    (population_data_dir() / "marginals.csv", MarginalRow),
]


@FUZZ
@given(which=st.sampled_from(CSV_FILES), data=st.data())
def test_csv_loader_raises_only_its_own_errors(
    fuzz_dir: Path, which: tuple[Path, type], data: st.DataObject
) -> None:
    source, model = which
    text = source.read_text(encoding="utf-8")
    cell = data.draw(st.sampled_from(["-1", "", "nan", "inf", "1e400", '"', "x,y", "\x00", "\r"]))
    choice = data.draw(st.sampled_from(["mutate", "cell", "bytes"]))
    path = fuzz_dir / source.name
    if choice == "bytes":
        path.write_bytes(data.draw(st.binary(max_size=400)))
    elif choice == "cell":
        lines = text.splitlines(keepends=True)
        row = data.draw(st.integers(1, len(lines) - 1))
        cells = lines[row].split(",")
        column = data.draw(st.integers(0, len(cells) - 1))
        cells[column] = cell
        lines[row] = ",".join(cells)
        path.write_text("".join(lines), encoding="utf-8")
    else:
        path.write_text(_mutated(text, data), encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(GreatterrorError):
        read_rows(path, model)
