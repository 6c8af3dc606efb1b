"""One document model, two renderings: Markdown (report.md, laps.md) and a static HTML page.
A document is a list of blocks: ("h", level, text), ("p", text), ("table", header, rows),
("img", path, alt), ("pre", text)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

Block = tuple[Any, ...]


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b[0] == "h":
            out.append(f"{'#' * b[1]} {b[2]}\n")
        elif b[0] == "p":
            out.append(f"{b[1]}\n")
        elif b[0] == "table":
            header, rows = b[1], b[2]
            out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
            out.append("|" + "|".join(" --- " for _ in header) + "|")
            out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows)
            out.append("")
        elif b[0] == "img":
            out.append(f"![{b[2]}]({b[1]})\n")
        elif b[0] == "pre":
            out.append("```\n" + b[1].rstrip("\n") + "\n```\n")
    return "\n".join(out).rstrip("\n") + "\n"


def _inline(text: str) -> str:
    """The little inline Markdown the report uses: **bold** and `code`."""
    t = html.escape(str(text))
    t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", t)


_CSS = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td:first-child{white-space:nowrap}img{max-width:100%;margin:1em 0}
pre{background:#f6f6f6;padding:1em;overflow-x:auto}
code{background:#f3f3f3;padding:0 3px}
th[title]{cursor:pointer}th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
.checks-fail{border-left:4px solid #c00;padding-left:.6em}"""
# Vanilla JS kept beside this module and inlined, so the page works offline from a file://.
_SORT_JS = (Path(__file__).with_name("sortable.js")).read_text()


def html_page(title: str, blocks: list[Block]) -> str:
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
           f"<style>{_CSS}</style></head><body>"]
    for b in blocks:
        if b[0] == "h":
            out.append(f"<h{b[1]}>{_inline(b[2])}</h{b[1]}>")
        elif b[0] == "p":
            out.append(f"<p>{_inline(b[1])}</p>")
        elif b[0] == "table":
            out.append("<table class='sortable'><thead><tr>"
                       + "".join(f"<th>{_inline(h)}</th>" for h in b[1]) + "</tr></thead><tbody>")
            out.extend("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in b[2])
            out.append("</tbody></table>")
        elif b[0] == "img":
            out.append(f"<img src='{html.escape(b[1])}' alt='{html.escape(b[2])}'>")
        elif b[0] == "pre":
            out.append(f"<pre>{html.escape(b[1])}</pre>")
    out.append(f"<script>{_SORT_JS}</script></body></html>\n")
    return "\n".join(out)
