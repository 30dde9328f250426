"""The web dashboard (``greatterror serve``): run, compare, evidence, hypotheses.

Needs the ``dashboard`` extra (``pip install 'greatterror[dashboard]'``):
Solara 1.58.2 with solara-assets, and plotly.
"""
