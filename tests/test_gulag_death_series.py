"""What the Gulag's death series count (model/targets.py, calibration/holdout.py).

The GULAG's reference note on mortality (``G8-deaths-*``) counts the deaths of prisoners on the
camps' and colonies' rolls: not those on the way to a camp (``died_transit``) nor those in the
prisons awaiting the etap (``died_holding``). The camps' own series of Getty, Rittersporn &
Zemskov (``G2-gulag-deaths``, 1937-38) leaves the colonies out as well (tests/test_holdout.py).
A synthetic summary with known numbers: fast, no simulation.
"""

from __future__ import annotations

import pytest

from greatterror.model.targets import TARGETS


def _summary() -> dict:
    flows = {
        str(y): {
            "died_camp": 100.0 * i,
            "died_colony": 10.0 * i,
            "died_transit": 1000.0 * i,
            "died_holding": 10000.0 * i,
        }
        for i, y in enumerate(range(1934, 1941), 1)
    }
    return {"gulag": {"yearly": flows}}


@pytest.mark.parametrize("year", range(1935, 1941))
def test_the_gulag_series_counts_camps_and_colonies_only(year: int) -> None:
    target = next(t for t in TARGETS if t.fact_id == f"G8-deaths-{year}")
    i = year - 1933
    assert target.simulated(_summary()) == pytest.approx(100.0 * i)
