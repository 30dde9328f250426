"""A sampled person stands for 1/scale people: quantities the model derives from small samples
must mean the same at 1:2,000 as at 1:1 in expectation (docs/calibration.md, "Scale").

Each test fails on the rule it replaced: Order 00447's arrests in a region whose remaining
goal was a fraction of a sampled person ran at that fraction of the operation's pace, and a
national line whose few sampled people were all men had every man refused by its arrest lists.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.model.operation_00447 import persons_left
from greatterror.model.registers import build_registers
from greatterror.model.state import Institutions
from greatterror.population.build import build_population
from greatterror.scales import scale_warning
from greatterror.vocabulary import LN

REGIONS = 20_000  # independent copies of one region, in one call


def _institutions(goal: float, arrested: float = 0.0) -> Institutions:
    inst = SimpleNamespace(
        arrested_00447=np.full(REGIONS, arrested),
        listed_cat1=np.zeros(REGIONS),
        goal_00447=np.full(REGIONS, np.nan),
        goal_persons_00447=np.zeros(REGIONS),
    )
    return cast(Institutions, inst)


@settings(max_examples=25, deadline=None)
@given(
    goal=st.floats(min_value=0.0, max_value=50_000.0),
    weight=st.sampled_from([1.0, 100.0, 1_000.0, 2_000.0, 10_000.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_order_00447_goal_in_sampled_people_is_the_goal_in_expectation(
    goal: float, weight: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    left = persons_left(np.full(REGIONS, goal), weight, _institutions(goal), rng)
    assert left.dtype == np.int64 and (left >= 0).all()
    assert (np.abs(left * weight - goal) < weight).all()  # rounded, never further
    sd = weight * 0.5 / np.sqrt(REGIONS)
    assert abs(left.mean() * weight - goal) <= 5 * sd + 1e-9


def test_order_00447_goal_is_rounded_again_only_when_it_changes() -> None:
    rng = np.random.default_rng(1)
    inst = _institutions(2_500.0)
    first = persons_left(np.full(REGIONS, 2_500.0), 1_000.0, inst, rng)
    assert (persons_left(np.full(REGIONS, 2_500.0), 1_000.0, inst, rng) == first).all()
    inst.arrested_00447[:] = 2_000.0  # two sampled people taken
    assert (persons_left(np.full(REGIONS, 2_500.0), 1_000.0, inst, rng) == first - 2).all()
    raised = persons_left(np.full(REGIONS, 4_000.0), 1_000.0, inst, rng)
    assert (raised == 2).all()


def _arrested_after(goal: float, weight: float, pace: float, days: int, seed: int) -> float:
    """Mean Order 00447 arrests after ``days`` in a region of that goal, by the step's rule."""
    rng = np.random.default_rng(seed)
    inst = _institutions(goal)
    goals = np.full(REGIONS, goal)
    for _ in range(days):
        left = persons_left(goals, weight, inst, rng)
        n = np.minimum(rng.poisson(pace * left), left)  # wanted * scale: one person = weight
        inst.arrested_00447 += n * weight
    return float(inst.arrested_00447.mean())


@settings(max_examples=10, deadline=None)
@given(fraction=st.floats(min_value=0.05, max_value=0.95), seed=st.integers(0, 2**32 - 1))
def test_order_00447_pace_does_not_depend_on_the_scale(fraction: float, seed: int) -> None:
    """A goal of ``fraction`` of one sampled person is reached as fast, in expectation, as the
    same goal at 1:1 (where it is hundreds of people): the operation takes a share of what is
    left each day, whatever one sampled person stands for."""
    goal, pace, days = 400.0, 0.05, 20
    at_one = _arrested_after(goal, 1.0, pace, days, seed)
    sampled = _arrested_after(goal, goal / fraction, pace, days, seed)
    reached = 1 - np.exp(-pace * days)
    assert at_one == pytest.approx(goal * reached, rel=0.03)
    # each region holds one sampled person with chance ``fraction``, taken by day ``days``
    # with chance ``reached``: the mean over REGIONS has this relative standard deviation
    p = fraction * reached
    sd = np.sqrt((1 - p) / (p * REGIONS))
    assert sampled == pytest.approx(at_one, rel=5 * sd + 0.03)


@pytest.mark.parametrize("scale", [0.0005, 0.001])
def test_national_lines_accept_both_sexes_at_small_scales(scale: float) -> None:
    """A ``drawn`` line's arrest lists take its people with the share of men it was drawn with;
    when a small sample puts only men (or only women) on it, the lists still take them."""
    pop = build_population(scale, 1)
    reg = build_registers(pop)
    drawn = [n for n, s in reg.specs.items() if s.register == "drawn" and s.male_share is not None]
    assert drawn
    one_sex = 0
    for name in drawn:
        members = reg.lines[name].groups.members
        assert members is not None
        male = pop["male"][members]
        one_sex += len(members) > 0 and bool(male.all() or not male.any())
        share = reg.specs[name].male_share
        for sex, present in ((1, male.any()), (0, (~male).any())):
            likely = share if sex else 1 - share  # type: ignore[operator]
            if present and likely > 0:
                assert reg.accept[LN[name], sex] > 0.5, (name, sex)
    assert one_sex > 0  # the case the test is about occurs in this sample


def _stop(*_: object, **__: object) -> None:
    raise typer.Exit(7)  # where the work would start: every check has passed


#: each many-run command at its work's entry point (replaced by ``_stop``), with what it runs
WORK = [
    (
        ["calibrate", "historical", "--db", "DIR/fit.db"],
        "greatterror.calibration.abc.run_fit",
        "a fit",
    ),
    (
        ["hypotheses", "compare", "H1", "H2", "--db", "DIR/cmp.db"],
        "greatterror.cli.compare_hypotheses._run",
        "a comparison",
    ),
    (
        ["sensitivity", "historical", "--out", "DIR/sens"],
        "greatterror.calibration.sensitivity.analyse",
        "a screening",
    ),
    (
        ["counterfactual", "no_kirov", "--seeds", "1"],
        "greatterror.api.paired.Paired.run",
        "a counterfactual",
    ),
    (
        ["hypotheses", "reference", "build", "--table", "DIR/ref", "H1", "H2"],
        "greatterror.cli.reference._run",
        "a reference table",
    ),
]


@pytest.mark.parametrize(("command", "work", "what"), WORK)
@pytest.mark.parametrize(("scale", "warned"), [(0.001, True), (0.0005, True), (0.003, False)])
def test_the_many_run_commands_warn_below_the_scale_free_scale(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    work: str,
    what: str,
    scale: float,
    warned: bool,
) -> None:
    """Review16 D5: a fit, a comparison, a screening, a counterfactual and a reference table
    below ``SCALE_FREE_FROM`` get one warning (``scales.scale_warning``); 0.001 is the
    default scale of most of them. It comes once every check has passed, as the work starts."""
    assert (scale_warning(scale) is not None) == warned
    monkeypatch.setattr(work, _stop)
    args = [a.replace("DIR", str(tmp_path)) for a in command]
    result = CliRunner().invoke(app, [*args, "--scale", str(scale)])
    assert result.exit_code == 7, result.output
    said = "warning:" in result.output and f"so {what} here is biased" in result.output
    assert said == warned, result.output


@pytest.mark.parametrize(
    "command",
    [
        ["calibrate", "historical", "--db", "DIR/kept.db"],  # exists, and no --resume
        ["hypotheses", "compare", "H1", "H2", "--quantile", "2"],
        ["sensitivity", "historical", "--workers", "0"],
        ["counterfactual", "no_such_counterfactual"],
        ["hypotheses", "reference", "build", "--table", "DIR/ref", "H99", "H1"],
    ],
)
def test_a_refused_command_prints_its_error_alone(tmp_path: Path, command: list[str]) -> None:
    """A refusal is one line naming the field: the warning of a small scale, which speaks of
    a run that will not happen, is not printed before it (useraudit: it came first, a long
    line above the error)."""
    (tmp_path / "kept.db").write_bytes(b"kept")
    args = [a.replace("DIR", str(tmp_path)) for a in command]
    result = CliRunner().invoke(app, [*args, "--scale", "0.001"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert not (tmp_path / "ref").exists()
