"""Running text on the dashboard, as escaped HTML.

Solara's Markdown component loads KaTeX from a CDN for mathematics, which
this page never shows and cannot fetch without internet; text is therefore
written through this small converter instead (headings, bold, italics, line
breaks), after escaping everything.
"""

from __future__ import annotations

import re
from html import escape

import solara

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"\*(.+?)\*")


def to_html(text: str) -> str:
    blocks = []
    for block in text.strip().split("\n"):
        line = block.rstrip()
        level = len(line) - len(line.lstrip("#"))
        body = escape(line.lstrip("#").strip() if level else line.strip())
        body = _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", body))
        if not body:
            continue
        blocks.append(f"<h{level + 1}>{body}</h{level + 1}>" if level else f"<p>{body}</p>")
    return "".join(blocks)


@solara.component
def Prose(text: str, classes: list[str] | None = None) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=to_html(text), classes=classes or [])
