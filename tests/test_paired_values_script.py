"""scripts/paired_values.py: its inputs are checked before any run, and its pairs differ where
the values do and agree where they do not."""

from __future__ import annotations

import pytest
from script_module import load_script

paired = load_script("paired_values.py")


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--set", "no_such=1"], "pars.no_such: unknown parameter"),
        (["--set", "trial_death_share_late"], "allowed: NAME=NUMBER"),
        (["--set", "trial_death_share_late=0.5", "--seeds", "x"], "allowed: FIRST-LAST"),
        (["--set", "trial_death_share_late=0.5", "--ids", "G11-trial21,nope"], "unknown nope"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        paired.main([*argv, "--scale", "0.0001"])
    assert info.value.code == 2
    assert said in capsys.readouterr().err


def test_pairs_differ_where_the_values_do(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--set", "trial_death_share_late=0.2", "--ids", "G11-trial21,G1-1935-conv"]
    assert paired.main([*argv, "--scale", "0.0001", "--seeds", "11-12", "--workers", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    trial = next(line for line in out if line.startswith("G11-trial21:"))
    before = next(line for line in out if line.startswith("G1-1935-conv:"))
    # the trial's verdicts follow the share; 1935, before any late trial, is the same run
    assert "paired own - given 0.0 ± 0.0" not in trial
    assert "paired own - given 0.0 ± 0.0" in before
