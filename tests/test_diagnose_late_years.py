"""scripts/diagnose_late_years.py refuses bad input before any run: one error line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "diagnose_late_years.py"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--scale", "-1", "--seeds", "1"], "scale"),
        (["--scale", "2", "--seeds", "1"], "scale"),
        (["--seeds", "1000001"], "--seeds"),  # a fitting seed
    ],
)
def test_bad_input_exits_2_naming_the_field(args: list[str], field: str) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"diagnose_late_years.py: error: {field}")
    assert done.stdout == ""
