"""An operation's launch day is read one way (model/state.py ``Policy.launch_day``)."""

from __future__ import annotations

import pytest

from greatterror.model.state import Policy


def test_not_launched_is_none_not_today() -> None:
    pol = Policy()
    assert pol.launch_day("kulak_00447") is None
    pol.first_day[("launch_operation", "kulak_00447")] = 30
    pol.first_day[("launch_operation", "national_polish")] = 47
    assert pol.launch_day("kulak_00447") == 30
    assert pol.launch_day("national_harbin") is None
    assert pol.days_since_launch("kulak_00447", 45) == 15
    # other decisions on the same operation are not its launch
    pol.first_day[("end_operation", "national_harbin")] = 60
    assert pol.launch_day("national_harbin") is None


def test_days_since_launch_before_launch_is_an_error() -> None:
    # the old reading ``first_day.get(..., day)`` gave 0 days, the first day of the term
    with pytest.raises(ValueError, match="national_latvian"):
        Policy().days_since_launch("national_latvian", 100)
