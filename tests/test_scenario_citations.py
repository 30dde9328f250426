"""The sections of docs/hypotheses.md and docs/hypotheses-log.md that the scenario files cite
by name can be found.

A scenario's notes and gaps enter its content hash (provenance.scenario_source), which stored
runs and outputs record, so a section moved to the log is not re-cited in the scenario files:
docs/hypotheses.md names it, in quotes, as moved, and the log holds it. A citation of this
page by name must therefore lead to a heading of the page, or to the page's note of the move
and a heading of the log.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "src" / "greatterror" / "scenarios"
PAGE, LOG = (ROOT / "docs" / name for name in ("hypotheses.md", "hypotheses-log.md"))


def _headings(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.lstrip("#").strip() for line in lines if line.startswith("#")]


def _cited(pattern: str) -> list[tuple[str, str]]:
    found = {
        (path.relative_to(SCENARIOS).as_posix(), name)
        for path in sorted(SCENARIOS.rglob("*.toml"))
        for name in re.findall(pattern, path.read_text(encoding="utf-8"))
    }
    return sorted(found)


#: a name ends at a quote before a space or punctuation (the apostrophes of "H3's" do not)
PAGE_CITED = _cited(r"docs/hypotheses\.md, '(.+?)'(?=[\s);:,.])")
LOG_CITED = _cited(r'docs/hypotheses-log\.md,? "([^"]+)"')


def test_the_scenario_files_cite_sections_by_name() -> None:
    """The patterns find the citations (a change of their form would leave nothing checked)."""
    assert len(PAGE_CITED) >= 5 and len(LOG_CITED) >= 9


@pytest.mark.parametrize(("scenario", "name"), PAGE_CITED)
def test_a_section_of_the_page_cited_by_name_is_there_or_named_as_moved(
    scenario: str, name: str
) -> None:
    if any(h.startswith(name) for h in _headings(PAGE)):
        return
    page = " ".join(PAGE.read_text(encoding="utf-8").split())
    assert f'"{name}"' in page, f"{scenario}: '{name}' is neither in {PAGE.name} nor named there"
    assert any(h.startswith(name) for h in _headings(LOG)), f"{scenario}: '{name}' not in the log"


@pytest.mark.parametrize(("scenario", "name"), LOG_CITED)
def test_a_section_of_the_log_cited_by_name_is_there(scenario: str, name: str) -> None:
    assert any(h.startswith(name) for h in _headings(LOG)), f"{scenario}: '{name}' not in the log"
