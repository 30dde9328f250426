"""scripts/scale_agreement.py's rule: a difference between scales is flagged only when it is beyond
the seeds' noise (Welch's z above 3) and larger than 5%. No simulation here: the runs are made up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from script_module import load_script

scale_agreement = load_script("scale_agreement.py")


def _runs(values: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"id": target, "archival": 100.0, "simulated": float(v)}
            for target, seeds in values.items()
            for v in seeds
        ]
    )


def test_a_shift_beyond_the_noise_and_above_five_per_cent_is_flagged() -> None:
    rng = np.random.default_rng(1)
    big = rng.normal(100.0, 1.0, 30)
    runs = {
        0.01: _runs({"shifted": big, "small": big, "noisy": big, "same": big}),
        0.001: _runs(
            {
                "shifted": big * 0.9,  # 10% lower, far beyond the noise
                "small": big * 0.98,  # beyond the noise, but 2%
                "noisy": rng.normal(90.0, 60.0, 30),  # 10% lower, within the noise
                "same": big,
            }
        ),
    }
    table = scale_agreement.agreement(runs).set_index("id")
    assert table.loc["shifted", "flagged"].startswith("1:1,000 (z -")
    assert table.loc["small", "flagged"] == table.loc["same", "flagged"] == ""
    assert table.loc["noisy", "flagged"] == ""
    assert table.loc["shifted", "ratio 0.001"] == pytest.approx(0.9)
    assert table.loc["same", "ratio 0.01"] == 1.0  # the largest scale is the reference
    text = scale_agreement.markdown(table.reset_index(), [0.001, 0.01])
    assert "| `shifted` | 100 | 90 (0.90) | 100 (1.00) | 1:1,000 (z -" in text


def test_welch_z_of_constant_samples_is_zero_or_a_signed_infinity() -> None:
    same = np.full(5, 3.0)
    assert scale_agreement.welch_z(same, same) == 0.0
    assert scale_agreement.welch_z(same - 1.0, same) == -np.inf  # lower, with no spread
