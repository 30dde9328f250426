"""The dashboard's pages, as solara routes: Run, Compare, Evidence, Hypotheses.

``greatterror serve`` starts solara's server on this module. Solara 1.58.2
with solara-assets serves every script, style and font itself, so the page
works with no internet connection.
"""

from __future__ import annotations

import solara

from greatterror.dashboard.compare_page import ComparePage
from greatterror.dashboard.evidence_page import EvidencePage
from greatterror.dashboard.hypotheses_page import HypothesesPage
from greatterror.dashboard.run_page import RunPage


@solara.component
def Layout(children: list[solara.Element] = []) -> solara.Element:  # noqa: B006 (solara's signature)
    """The root route's layout, which solara puts around every page: title bar and links."""
    current, pages = solara.use_route()
    with solara.AppLayout(title="greatterror", navigation=False) as main:
        with solara.AppBar():
            for page in pages:
                with solara.Link(solara.resolve_path(page)):
                    solara.Button(
                        page.label,
                        text=True,
                        dark=True,
                        outlined=page is current,
                        classes=[f"gt-nav-{(page.label or 'run').lower()}"],
                    )
        solara.Column(children=children)
    return main


routes = [
    solara.Route(path="/", component=RunPage, label="Run", layout=Layout),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
    solara.Route(path="evidence", component=EvidencePage, label="Evidence"),
    solara.Route(path="hypotheses", component=HypothesesPage, label="Hypotheses"),
]
