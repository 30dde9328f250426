"""The refit's validity check (greatterror.calibration.validity, scripts/refit_historical.py):
a fitted point that breaks the validity tests' key properties is never applied."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from greatterror.calibration import validity
from greatterror.model.gulag import GF, GULAG_FLOWS
from greatterror.model.scenario import load_scenario
from greatterror.model.scenario_files import shipped_path
from greatterror.vocabulary import LN, OP, Status


def _fake_sim(n_women_shot: int = 5, youngest: int = 20, off_line: int = 0, expired: float = 1.0):
    """100 people shot under Order 00447 on its lines, ``n_women_shot`` of them women, plus
    ``off_line`` victims of the Polish operation without a line."""
    n = 100 + off_line
    status = np.full(n, Status.SHOT, dtype=np.uint8)
    op = np.full(n, OP["kulak_00447"], dtype=np.uint8)
    line = np.full(n, LN["criminal"], dtype=np.uint8)
    op[100:] = OP["national_polish"]
    line[100:] = 0
    status[100:] = Status.CAMP
    male = np.ones(n, dtype=bool)
    male[:n_women_shot] = False
    age = np.full(n, 40, dtype=np.uint8)
    age[-1] = youngest
    gulag = np.zeros((10, len(GULAG_FLOWS)))
    gulag[5, GF["released_term"]] = expired
    return SimpleNamespace(
        cases=SimpleNamespace(status=status, op=op, line=line, arrests=np.ones(n, np.uint8)),
        pop={"age": age, "male": male},
        weights=lambda idx: np.ones(len(idx)),
        ledger=SimpleNamespace(gulag=gulag),
    )


def _failing(sim) -> set[str]:
    return {f.name for f in validity.failures(validity.check_simulation(sim, 1))}


def test_the_thresholds_are_issue_9s() -> None:
    assert validity.MIN_MALE_SHARE_SHOT == 0.90
    assert validity.MIN_AGE_ARRESTED == 12 and validity.MAX_UNDER_16_SHARE == 0.01


def test_the_gate_runs_on_seeds_of_the_fitting_range() -> None:
    """Whether a fit is applied is decided on no validation run (review of 5 Dec 2026, F3)."""
    from greatterror.calibration.seeds import VALIDATION_SEEDS, is_fit_seed

    assert all(is_fit_seed(s) for s in validity.SEEDS)
    assert not set(validity.SEEDS) & set(VALIDATION_SEEDS)


def test_a_valid_run_passes_every_check() -> None:
    findings = validity.check_simulation(_fake_sim(), 1)
    assert len(findings) == 5 and not validity.failures(findings)


@pytest.mark.parametrize(
    ("sim", "name"),
    [
        (_fake_sim(n_women_shot=11), "share of men among those sentenced to death"),
        (_fake_sim(youngest=11), "youngest age arrested"),
        (_fake_sim(youngest=15, n_women_shot=0), "share of under-16s among arrests"),
        (_fake_sim(off_line=3), "operation victims without a line"),
        (_fake_sim(expired=0.0), "releases at the end of a term"),
    ],
)
def test_each_broken_property_is_found(sim, name: str) -> None:
    assert name in _failing(sim)


def test_the_refit_refuses_an_invalid_point_and_leaves_the_scenario_alone(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    refit_script,
) -> None:
    """The gate (calibration/gate.py) runs the validity check on the candidate's runs on the
    first three gate seeds: a point that breaks a property is refused, whatever its margin."""
    from greatterror.calibration import gate
    from greatterror.calibration.seeds import GATE_SEEDS
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.evidence.loader import load_evidence

    script = refit_script()
    target = tmp_path / "historical.toml"
    target.write_text(shipped_path("historical").read_text(encoding="utf-8"), encoding="utf-8")
    before = target.read_text(encoding="utf-8")
    candidate = tmp_path / "historical_candidate.toml"
    candidate.write_text(before + "\n# the fitted point\n", encoding="utf-8")
    evidence = load_evidence()
    record = {i: float(evidence.value(i)) for i in CALIBRATION_IDS}
    invalid = tuple(validity.check_simulation(_fake_sim(n_women_shot=12), 1))
    valid = tuple(validity.check_simulation(_fake_sim(), 1))

    first = CALIBRATION_IDS[0]
    off = {**record, first: record[first] / 10}  # the shipped values' fresh runs, farther

    def runs(findings):
        return tuple(
            gate.Run(s, record, findings if s in validity.SEEDS else ()) for s in GATE_SEEDS
        )

    def fake(chosen_findings):
        def run_scenarios(paths, seeds=GATE_SEEDS, scale=gate.SCALE, workers=1):
            if scale != gate.SCALE:  # gate 1's fresh runs: a clear margin
                return [
                    tuple(gate.Run(s, record) for s in seeds),
                    tuple(gate.Run(s, off) for s in seeds),
                ]
            return [runs(chosen_findings), runs(valid)]

        return run_scenarios

    applied = {
        "recheck_seeds": [2, 3, 4],
        "scale": 0.003,
        "candidates": [{"choosing_distance": 6.0, "recheck_choosing": [6.0, 6.2, 6.1]}],
        "incumbent": {"choosing_distance": 9.0, "recheck_choosing": [9.0, 9.1, 8.9]},
    }
    log: list[dict] = []
    monkeypatch.setattr(gate, "run_scenarios", fake(invalid))
    with pytest.raises(SystemExit) as stop:
        script.gate_then_apply(candidate, {"apply": applied}, log, 1, target)
    assert stop.value.code == 3
    err = capsys.readouterr().err
    assert "refit NOT applied" in err and "share of men among those sentenced to death" in err
    assert "gate 1" not in err and "gate 2" not in err
    assert target.read_text(encoding="utf-8") == before
    # a valid point is applied
    monkeypatch.setattr(gate, "run_scenarios", fake(valid))
    script.gate_then_apply(candidate, {"apply": applied}, log, 1, target)
    assert target.read_text(encoding="utf-8") == candidate.read_text(encoding="utf-8")
    assert [r["step"] for r in log] == ["2b gate"] * 2


def test_the_check_runs_the_candidate_scenario(tmp_path: Path) -> None:
    """One real run at 1:10,000: the check simulates the scenario it is given."""
    findings = validity.check_scenario(load_scenario("historical"), 0.0001, (1,))
    assert {f.seed for f in findings} == {1} and len(findings) == 5
    assert all(np.isfinite(f.value) for f in findings)


APPLIED = {
    "generation": 0,
    "recheck_seeds": [2, 3],
    "scale": 0.003,
    "rule": "the rule",
    "weights_source": "recorded",
    "candidates": [
        {
            "accepted_distance": 2.5,
            "archival": {"acceptance_run": 25.0, "recheck_median": 27.0},
            "last_generation_weights": {"recheck_median": 2.7},
            "outside_band_on_recheck": [{"id": "G1-1935-conv", "runs": 2, "of": 2, "factor": 0.35}],
            "choosing_distance": 10.02,
            "recheck_choosing": [9.1, 11.8],
        }
    ],
    "incumbent": {
        "choosing_distance": 10.66,
        "recheck_choosing": [10.9, 10.2],
        "recheck_median": 14.75,
    },
}
SHOWN = {
    "generations": [
        {
            "generation": 0,
            "epsilon": 1.2,
            "particles": 60,
            "simulations": 200,
            "acceptance": 0.3,
            "ess": 50.0,
        }
    ],
    "posterior": [],
}
CHECKED = {"draws": 2, "scale": 0.003, "seeds": [1, 2], "in_sample": [], "validation": []}


@pytest.mark.parametrize(
    "failing", ["", "1 fit (ABC-SMC)", "2b gate"], ids=["refused", "fit-failed", "gate-raised"]
)
def test_the_refit_writes_its_section_however_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str, refit_script
) -> None:
    """The section between the refit markers is rewritten when the fit stopped early at
    --max-minutes (one generation of eight) and its point was refused, and when a step failed."""
    import json
    import sys

    script = refit_script()
    doc = tmp_path / "calibration.md"
    doc.write_text(f"# C\n\nbefore\n\n{script.BEGIN}\nold\n{script.END}\n\nafter\n", "utf-8")
    monkeypatch.setattr(script, "DOC", doc)
    shipped = tmp_path / "historical.toml"
    shipped.write_text(shipped_path("historical").read_text(encoding="utf-8"), "utf-8")
    monkeypatch.setattr(script, "SCENARIO", shipped)
    answers = {"2": APPLIED, "5": CHECKED, "6": SHOWN}

    def step(name: str, cmd: list, log: list, capture: bool = False) -> str:
        log.append({"step": name, "command": name, "wall_s": 60.0, "cpu_s": 30.0})
        if name.startswith("1"):  # a resumed fit asked for eight generations in all
            assert "--resume" in cmd and cmd[cmd.index("--generations") + 1] == 8
        if name == failing:
            raise SystemExit(f"{name} failed with exit code 1")
        return json.dumps(answers.get(name[0], {}))

    from greatterror.calibration import gate
    from greatterror.calibration.seeds import GATE_SEEDS
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.evidence.loader import load_evidence

    evidence = load_evidence()
    record = {i: float(evidence.value(i)) for i in CALIBRATION_IDS}
    invalid = tuple(validity.check_simulation(_fake_sim(n_women_shot=12), 1))

    def runs(values, findings=(), seeds=GATE_SEEDS):
        return tuple(gate.Run(s, values, findings) for s in seeds)

    def run_scenarios(paths, seeds=GATE_SEEDS, scale=gate.SCALE, workers=1):
        return [runs(record, invalid, seeds), runs(record, (), seeds)]

    # no margin on the fresh runs and the validity check fails; not worse at 1:100
    monkeypatch.setattr(gate, "run_scenarios", run_scenarios)
    if failing == "2b gate":  # a run of the gate raises: the section says so, nothing applied

        def crash(*args, **kwargs):
            raise RuntimeError("a run at 1:100 crashed")

        monkeypatch.setattr(gate, "run_scenarios", crash)
    monkeypatch.setattr(script, "_step", step)
    (tmp_path / "fit.db").write_bytes(b"")  # (a resumed fit's database: --db is checked first)
    # the stored fit's settings are not what this test is about (tests/test_calibrate_scenario_digest.py)
    monkeypatch.setattr(script, "check_stored_fit", lambda parser, args: None)
    argv = ["refit", "--db", str(tmp_path / "fit.db"), "--generations", "8", "--resume"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises((SystemExit, RuntimeError)) as stop:
        script.main()
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# C\n\nbefore\n\n" + script.BEGIN) and text.endswith(
        script.END + "\n\nafter\n"
    )
    assert "\nold\n" not in text and "1 of the 8 generations asked for are stored" in text
    if failing == "2b gate":
        assert "stopped by a failing step (RuntimeError: a run at 1:100 crashed); nothing" in text
        assert shipped.read_text(encoding="utf-8") == shipped_path("historical").read_text("utf-8")
    elif failing:
        assert (
            "stopped by a failing step (1 fit (ABC-SMC) failed with exit code 1); nothing" in text
        )
        assert "G1-1935-conv" not in text
    else:
        assert stop.value.code == 3 and "NOT applied" in text
        assert "- validity check fails: seed 1: share of men" in text
        # equal fresh runs at the fit's scale: no margin (the re-check's own is not used)
        assert "- gate 1 (margin at the fit's scale) fails: the chosen point's choosing" in text
        assert "(fresh margin seeds 2,100,001, 2,100,002, not the re-check seeds" in text
        assert "gate 2, not worse at 1:100 (gate seeds 2,000,001-2,000,010; " in text
        assert "in-sample targets only; mean paired improvement >= 0): holds: " in text
        assert "in-sample targets passing 29 of 29" in text
        assert "G1-1935-conv 2/2 x0.35" in text and "| shipped values | - | - | 10.66" in text
        assert shipped.read_text(encoding="utf-8") == shipped_path("historical").read_text("utf-8")
        assert "3 regression baseline" not in text  # nothing regenerated for a refused point


def test_the_refits_check_table_sets_the_checks_of_in_sample_quantities_apart() -> None:
    """Review 5, item 6: in the refit's report the figures that repeat in-sample targets'
    quantities are the set ``check`` and counted apart from the validation figures never
    fitted; a share keeps its decimal."""
    from greatterror.calibration.check import compare_runs
    from greatterror.calibration.holdout import IN_SAMPLE_CHECKS, MEASURES, OUT_OF_SAMPLE
    from greatterror.calibration.refit_record import check_lines
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.evidence.loader import load_evidence

    evidence = load_evidence()
    run = {
        "targets": {t: float(evidence.value(t)) for t in CALIBRATION_IDS},
        "holdout": {m.fact_id: float(evidence.value(m.fact_id)) for m in MEASURES},
    }
    in_sample, validation = compare_runs([run], CALIBRATION_IDS)
    check = {"draws": 1, "scale": 0.001, "seeds": [1]}
    lines = check_lines(check | {"in_sample": in_sample, "validation": validation})
    sets = {
        line.split(" | ")[0][2:]: line.split(" | ")[1]
        for line in lines
        if line[:3] in ("| G", "| V")
    }
    assert {k for k, v in sets.items() if v == "check"} == {m.fact_id for m in IN_SAMPLE_CHECKS}
    assert {k for k, v in sets.items() if v == "validation"} == {m.fact_id for m in OUT_OF_SAMPLE}
    text = " ".join(lines)
    assert f"validation (never fitted): {len(OUT_OF_SAMPLE)} of {len(OUT_OF_SAMPLE)}" in text
    assert f"{len(IN_SAMPLE_CHECKS)} of {len(IN_SAMPLE_CHECKS)}. A figure" in text
    assert "| V-00447-crim-share-150837 | " in text and " 27.1% " in text
