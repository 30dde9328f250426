"""Values the parser refuses, empty arguments and conflicting flags: one message style, exit 2.

Every refusal reads ``error: FIELD: what is wrong; allowed: ...``, as the
project's own checks do, rather than typer's boxed usage text, and names an
empty argument "empty" rather than "." (``Path("")`` is the current folder).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app

runner = CliRunner()


def said(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "--scale", "abc"],
            "error: --scale: 'abc' is not a number; allowed: a number (Sampling scale, 1e-05 to 1",
        ),
        (
            ["run", "--seed", "1.5"],
            "error: --seed: '1.5' is not a whole number; allowed: a whole number (Random seed, "
            "0 to 2^63 - 1",
        ),
        (
            ["serve", "--port", "abc"],
            "error: --port: 'abc' is not a whole number; allowed: a whole number (Port to listen "
            "on, 1024 to 65535)",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_named_with_its_range(args: list[str], message: str) -> None:
    code, text = said(*args)
    assert code == 2
    assert message in text
    assert "╭" not in text and "Invalid value" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", ""], "error: scenario: empty; shipped scenarios: "),
        (["run", " "], "error: scenario: empty; shipped scenarios: "),
        (["report", ""], "error: run_dir: empty; give the --out directory of a run"),
    ],
)
def test_an_empty_argument_is_called_empty(args: list[str], message: str) -> None:
    code, text = said(*args)
    assert code == 2
    assert message in text
    assert " . " not in text


def test_params_refuses_json_with_markdown() -> None:
    code, text = said("params", "--json", "--markdown")
    assert code == 2
    assert "--json, --markdown: give one of them" in text


def _preflight_message(scale: float) -> str:
    from greatterror.preflight import PreflightError, check_scale

    with pytest.raises(PreflightError) as refused:
        check_scale(scale)
    return f"error: {refused.value}"


@pytest.mark.parametrize(
    "command",
    [
        "run",
        "calibrate historical",
        "calibrate show {db} --check",
        "hypotheses compare h1_intentional h2_bureaucratic",
        "hypotheses compare check {db}",
        "hypotheses reference build --table t1",
        "sensitivity historical",
        "counterfactual no_kirov",
    ],
)
def test_every_command_refuses_a_scale_with_the_runs_message(command: str, tmp_path) -> None:
    """One check (preflight.check_scale) and so one message for --scale in every command;
    six commands had their own copy of the range test and of its message."""
    db = tmp_path / "fit.db"
    db.write_bytes(b"")
    code, text = said(*command.format(db=db).split(), "--scale", "0")
    assert code == 2 and text == _preflight_message(0.0), text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.db"]


def test_no_command_copies_the_scale_range() -> None:
    import re
    from pathlib import Path

    import greatterror.cli

    # any comparison with the range's ends, however it is written (review35)
    compared = re.compile(r"[<>]=?\s*M(IN|AX)_SCALE\b|\bM(IN|AX)_SCALE\s*[<>]")
    copies = [
        path.name
        for path in sorted(Path(greatterror.cli.__file__).parent.glob("*.py"))
        if compared.search(path.read_text(encoding="utf-8"))
    ]
    assert copies == [], "use preflight.check_scale"
