"""Every command of the CLI, against a table of bad inputs: a message and exit code 2, never a traceback.

The commands are read from typer's command tree, so a command added later is
covered without editing this file. Each command gets every bad value that
fits the type of each of its parameters, an unknown option, and a
GREATTERROR_HOME that is a regular file. Exit code 1 is kept for errors
that are bugs in greatterror (docs/reliability.md); none may appear here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from greatterror.cli import app as app_module
from greatterror.cli.app import app
from greatterror.paths import HOME_ENV

runner = CliRunner()
#: commands that use no local state, so a broken GREATTERROR_HOME is not their error
STATELESS = {
    "params",
    "mechanisms",
    "population describe",
    "hypotheses list",
    "hypotheses show",
    "hypotheses compare",  # its database is a path it is given, never under GREATTERROR_HOME
}
PLACEHOLDER = "no-such-thing"
REFUSAL_SECONDS = 5.0


def leaf_commands() -> Iterator[tuple[str, Any]]:
    def walk(prefix: str, command: Any) -> Iterator[tuple[str, Any]]:
        children = getattr(command, "commands", None)
        if not children:
            yield prefix.strip(), command
            return
        for name, child in sorted(children.items()):
            yield from walk(f"{prefix} {name}", child)

    yield from walk("", typer.main.get_command(app))


def _type_text(param: Any) -> str:
    # typer >= 0.26 keeps the annotation; older typer gives click's parameter type
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        return str(descriptor.annotation).lower()
    return type(param.type).__name__.lower()


def _is_list(param: Any) -> bool:
    return param.nargs == -1 or "list" in _type_text(param)


def _kind(param: Any) -> str:
    type_name = _type_text(param)
    if getattr(param, "is_flag", False) or "bool" in type_name:
        return "flag"
    for kind in ("path", "float", "int"):
        if kind in type_name:
            return kind
    return "text"


def bad_values(kind: str, tmp: Path) -> list[str]:
    afile = tmp / "afile"
    return {
        "path": [str(afile / "under-a-file")],
        "float": ["nan", "inf", "-1", "1e400", "abc"],
        "int": ["-1", str(2**70), "abc"],
        "text": ["", " "],
        "flag": [],
    }[kind]


def cases(name: str, command: Any, tmp: Path) -> Iterator[tuple[list[str], dict[str, str]]]:
    """(argument list, environment) pairs, each a bad input for this command."""
    words = name.split()
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    options = [p for p in command.params if p.param_type_name == "option"]

    def filled(skip: Any = None) -> list[str]:
        # each required argument a placeholder (two for a list), except the one under test;
        # optional ones keep their defaults, so that the bad value is the only fault
        out: list[str] = []
        for p in arguments:
            if p is not skip and p.required:
                out += [PLACEHOLDER] * (2 if _is_list(p) else 1)
        return out

    yield [*words, *filled(), "--no-such-option"], {}
    for arg in arguments:
        for value in bad_values(_kind(arg), tmp):
            values = [value] * (2 if _is_list(arg) else 1)
            position = arguments.index(arg)
            rest = filled(arg)
            yield [*words, *rest[:position], *values, *rest[position:]], {}
    for opt in options:
        flag = max(opt.opts, key=len)
        for value in bad_values(_kind(opt), tmp):
            yield [*words, *filled(), flag, value], {}
    if name not in STATELESS:
        yield [*words, *filled()], {HOME_ENV: str(tmp / "afile")}


def all_cases(tmp: Path) -> list[tuple[str, list[str], dict[str, str]]]:
    return [
        (name, args, env) for name, cmd in leaf_commands() for args, env in cases(name, cmd, tmp)
    ]


def test_the_command_tree_is_enumerated() -> None:
    names = {name for name, _ in leaf_commands()}
    assert {"run", "compare", "runs list", "runs show", "runs rebuild", "evidence search"} <= names
    assert {"population describe", "params", "mechanisms"} <= names


def test_every_command_answers_bad_input_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "afile").write_text("a regular file", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # a bad value that slipped through must not write into the repo
    table = all_cases(tmp_path)
    assert len(table) > 40
    failures = []
    for _, args, env in table:
        started = time.perf_counter()
        result = runner.invoke(app, args, env=env)
        seconds = time.perf_counter() - started
        exception = result.exception
        if (
            seconds > REFUSAL_SECONDS  # refused before any work, not after a simulation
            or "Traceback" in result.output
            or result.exit_code != 2
            or (exception is not None and not isinstance(exception, SystemExit))
        ):
            failures.append(f"{args} {env}: exit {result.exit_code}, {result.output[-300:]!r}")
    assert not failures, "\n".join(failures)
    assert list(work.iterdir()) == []


def test_an_internal_error_is_a_short_report_with_a_pointer_to_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: Any, **__: Any) -> list[Any]:
        raise KeyError("a bug")

    monkeypatch.setattr("greatterror.results.registry.list_runs", broken)  # imported on use
    result = runner.invoke(app, ["runs", "list"])
    assert result.exit_code == 1
    assert "internal error: KeyError: 'a bug'" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output

    debug = runner.invoke(app, ["--debug", "runs", "list"])
    assert debug.exit_code == 1 and "Traceback" in debug.output

    with pytest.raises(SystemExit) as exit_info:
        app_module.main(["runs", "list"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "internal error" in captured.err and "Traceback" not in captured.err


def test_the_entry_point_prints_project_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        app_module.main(["run", "--seed", "-1", "--scale", "0.0001"])
    assert exit_info.value.code == 2
    assert "--seed: -1 is out of range" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["params", "--json"], ["mechanisms", "--json"], ["--help"]])
def test_closed_reader_is_not_an_internal_error(args: list[str]) -> None:
    """``greatterror ... | head`` closes the pipe early: the command stops quietly, with no
    "internal error" report and no traceback. The read end is closed before the command
    writes, so its first write fails whatever the timing."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "greatterror", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert "internal error" not in err and "Traceback" not in err, err
    assert code != 0


def test_a_broken_pipe_of_the_command_itself_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only stdout's reader going away stops quietly: a broken pipe of the command's own (a
    worker's, a socket's) while stdout is fine is a bug, reported as one (exit code 1)."""

    def broken(*_: Any, **__: Any) -> list[Any]:
        raise BrokenPipeError(32, "a worker's pipe")

    monkeypatch.setattr("greatterror.results.registry.list_runs", broken)  # imported on use
    result = runner.invoke(app, ["runs", "list"])
    assert result.exit_code == 1
    assert "internal error: BrokenPipeError" in result.output


@pytest.mark.parametrize("args", [[], ["run"], ["run", "abc"], ["run", "0"], ["nosuch", "0.01"]])
def test_the_readme_benchmark_script_refuses_bad_arguments(args: list[str]) -> None:
    """``python3 bench/bench_scales.py run 0.01 0.1 1`` (README): without a job or a scale,
    or with one that is not a scale, it stops with a message and exit code 2 before any
    measurement (it was an IndexError, a ValueError or a failed subprocess's traceback)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "bench" / "bench_scales.py"
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "error:" in done.stderr
    assert done.stdout == ""  # no machine line, no table header: nothing was measured


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["nosuch"], "scenario:"),
        (["hypotheses/h1_intentional", "--label", "H1"], "--label"),
        (["hypotheses/h1_intentional", "--set", "nosuch=1"], "--set"),
        (["hypotheses/h1_intentional", "--set", "oppositionist_weight"], "--set"),
        (["hypotheses/h1_intentional", "--scale", "0"], "--scale"),
        (["hypotheses/h1_intentional", "--seed", "-1"], "--seed: -1 is out of range"),
        (["hypotheses/h1_intentional", "--set", "oppositionist_weight=-5"], "out of range"),
    ],
)
def test_the_trial_docks_script_refuses_bad_arguments(args: list[str], field: str) -> None:
    """scripts/trial_docks.py (docs/hypotheses.md, the show trials' empty docks): a bad
    scenario, parameter or parameter value, scale, seed or a --label without --screen stops
    with one line naming the option and exit code 2 before the run (an unknown scenario or
    --set name, a negative seed and a value outside its parameter's range were tracebacks)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "scripts" / "trial_docks.py"
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and field in done.stderr
    assert done.stdout == ""
