"""Options typed for another verb of `calibrate` or `hypotheses compare` are refused, naming
the option and the verb it belongs to, before any file is read or written (review8 F5).

Before, `calibrate show fit.db --db other.db` read fit.db without a word, and
`hypotheses compare show cmp.db --particles 5` printed the stored comparison as if
the option had been taken. No fit is needed: every refusal comes first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from greatterror.cli import calibrate, compare_hypotheses
from greatterror.cli.app import app
from greatterror.cli.verbs import RUN, where

runner = CliRunner()
COMPARE_RUN_ONLY = [
    ("--particles", "5"),
    ("--generations", "9"),
    ("--repeats", "9"),
    ("--prior-scale", "2"),
    ("--no-prior-check",),
    ("--dask-scheduler", "tcp://host:8786"),
    ("--db", "/nonexistent/x.db"),
    ("--resume",),
    ("--seed", "7"),
    ("--quantile", "0.99"),
    ("--max-simulations", "100"),
]
FIT_ONLY = [
    ("--particles", "7"),
    ("--generations", "9"),
    ("--dask-scheduler", "tcp://host:8786"),
    ("--db", "other.db"),
    ("--resume",),
    ("--seed", "3"),
    ("--quantile", "0.4"),
    ("--max-minutes", "5"),
    ("--max-simulations", "5"),
]


def said(result) -> str:
    return " ".join(result.output.split())


def _stored(tmp_path: Path) -> Path:
    """A database file that show/check/apply would go on to read (and refuse as foreign)."""
    db = tmp_path / "stored.db"
    db.write_bytes(b"")
    return db


@pytest.mark.parametrize("verb", ["show", "check"])
@pytest.mark.parametrize("option", COMPARE_RUN_ONLY, ids=lambda o: o[0])
def test_a_run_option_given_to_compare_show_or_check_is_refused(
    tmp_path: Path, verb: str, option: tuple[str, ...]
) -> None:
    db = _stored(tmp_path)
    result = runner.invoke(app, ["hypotheses", "compare", verb, str(db), *option])
    assert result.exit_code == 2, result.output
    assert f"{option[0]}: only when running a comparison, not with '{verb}'" in said(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stored.db"]


@pytest.mark.parametrize("verb", ["show", "show --check", "apply"])
@pytest.mark.parametrize("option", FIT_ONLY, ids=lambda o: o[0])
def test_a_fit_option_given_to_calibrate_show_or_apply_is_refused(
    tmp_path: Path, verb: str, option: tuple[str, ...]
) -> None:
    db = _stored(tmp_path)
    name, *flags = verb.split()
    args = (
        ["calibrate", name, str(db), *flags, "--scenario", "historical"] if name == "apply" else []
    )
    args = args or ["calibrate", name, str(db), *flags]
    result = runner.invoke(app, [*args, *option])
    assert result.exit_code == 2, result.output
    assert f"{option[0]}: only when fitting, not with '{verb}'" in said(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stored.db"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hypotheses", "compare", "show", "{db}", "--scale", "0.01"], "--scale: only when "
         "running a comparison or with 'check', not with 'show'"),
        (["hypotheses", "compare", "show", "{db}", "--workers", "2"], "--workers: only when "
         "running a comparison or with 'check', not with 'show'"),
        (["hypotheses", "compare", "show", "{db}", "--draws", "3"],
         "--draws: only with 'check', not with 'show'"),
        (["calibrate", "show", "{db}", "--draws", "3"],
         "--draws: only with 'show --check', not with 'show'"),
        (["calibrate", "show", "{db}", "--scale", "0.01"],
         "--scale: only when fitting or with 'show --check', not with 'show'"),
        (["calibrate", "show", "{db}", "--check", "--out", "plots"],
         "--out: only with 'show', not with 'show --check'"),
        (["calibrate", "apply", "{db}", "--scenario", "historical", "--check"],
         "--check: only with 'show --check', not with 'apply'"),
        (["calibrate", "historical", "--db", "{db}", "--scenario", "historical"],
         "--scenario: only with 'apply', not when fitting"),
        (["calibrate", "historical", "--db", "{db}", "--json"],
         "--json: only with 'show' or 'show --check' or 'apply', not when fitting"),
    ],
)  # fmt: skip
def test_an_option_of_one_verb_given_to_another_is_refused(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = _stored(tmp_path)
    result = runner.invoke(app, [a.replace("{db}", str(db)) for a in args])
    assert result.exit_code == 2, result.output
    assert message in said(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stored.db"]


def test_an_option_typed_at_its_default_value_is_refused_too(tmp_path: Path) -> None:
    """The check is on what was typed, not on the value: `--particles 40` is compare's default."""
    db = _stored(tmp_path)
    result = runner.invoke(app, ["hypotheses", "compare", "show", str(db), "--particles", "40"])
    assert result.exit_code == 2, result.output
    assert "--particles: only when running a comparison, not with 'show'" in said(result)


def test_options_left_at_their_defaults_are_not_refused(tmp_path: Path) -> None:
    """The verbs still reach their own checks (here: a file that is not a stored result)."""
    db = _stored(tmp_path)
    for args in (["hypotheses", "compare", "show", str(db)], ["calibrate", "show", str(db)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "only" not in said(result) and "not a greatterror" in said(result)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["calibrate", "show", "{x}", "--out", "plots", "--json"], "path"),
        (["calibrate", "show", "{x}", "--check", "--draws", "2", "--scale", "0.001"], "path"),
        (["calibrate", "show", "{x}", "--check", "--workers", "1", "--json"], "path"),
        (["calibrate", "apply", "{x}", "--scenario", "historical", "--candidates", "2"], "path"),
        (["calibrate", "apply", "{x}", "--recheck", "1", "--workers", "1", "--json"], "path"),
        (["hypotheses", "compare", "show", "{x}", "--generation", "0", "--json"], "DB"),
        (["hypotheses", "compare", "show", "{x}", "--out", "res"], "DB"),
        (["hypotheses", "compare", "check", "{x}", "--draws", "2", "--scale", "0.001"], "DB"),
        (["hypotheses", "compare", "check", "{x}", "--workers", "1", "--generation", "0"], "DB"),
    ],
)
def test_each_verb_takes_its_own_options(tmp_path: Path, args: list[str], name: str) -> None:
    """The options a verb uses pass the check and reach the verb's own (a missing database)."""
    missing = tmp_path / "none.db"
    result = runner.invoke(app, [a.replace("{x}", str(missing)) for a in args])
    assert result.exit_code == 2, result.output
    assert f"{name}: {missing} does not exist" in said(result)
    assert list(tmp_path.iterdir()) == []


def _options(group: str, *path: str) -> set[str]:
    command = typer.main.get_command(app)
    for name in (group, *path):
        command = command.commands[name]  # type: ignore[attr-defined]
    return {p.name for p in command.params if p.param_type_name == "option"}


@pytest.mark.parametrize(
    ("module", "names", "verbs"),
    [
        (calibrate, ("calibrate",), {RUN, "show", "show --check", "apply"}),
        (compare_hypotheses, ("hypotheses", "compare"), {RUN, "show", "check"}),
    ],
)
def test_every_option_of_a_command_with_verbs_says_which_verbs_use_it(
    module, names: tuple[str, ...], verbs: set[str]
) -> None:
    """A new option left out of the table would be accepted and ignored by every verb."""
    assert set(module.USES) == _options(*names)
    assert set().union(*module.USES.values()) == verbs


def test_the_verbs_are_said_in_words() -> None:
    assert where((RUN,), "when fitting") == "when fitting"
    assert where(("show", "check"), "x") == "with 'show' or 'check'"
    assert where((RUN, "check"), "when running") == "when running or with 'check'"
