"""Turn executed notebooks into static HTML pages that need no network at all.

Pages keep JupyterLab's look (its CSS is inlined), every picture and sound is embedded in the
page, and an interactive widget becomes its still picture (or a note) that says it is
interactive in Colab. No script, style sheet or font is loaded from elsewhere.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "PROGRESS_NOTE",
    "WIDGET_NOTE",
    "external_references",
    "render_index",
    "render_markdown_page",
    "render_page",
]

HERE = Path(__file__).resolve().parent
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    "This is an interactive widget. Open the notebook in Colab (the link at the top of the "
    "page) to click, drag and listen."
)
PROGRESS_NOTE = "A progress bar showed how far the work had got."
_PROGRESS = re.compile(r"\d+%\|")  # how tqdm writes a bar as text: "colouring:  40%|####  |"
_BADGE = re.compile(
    r'<img[^>]*src="https://colab\.research\.google\.com/assets/colab-badge\.svg"[^>]*>'
)
_EXTERNAL = re.compile(
    r"""<(?:script|link|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//[^>]*>"""
    r"""|@import\s+url\(\s*["']?(?:https?:)?//[^)]*\)|url\(\s*["']?(?:https?:)?//[^)]*\)""",
    re.IGNORECASE,
)


_MARK = re.compile(r"(<h2\b[^>]*>.*?)\s*\((core|at home)\)(?=<a class=\"anchor-link\"|</h2>)")


def _marks(page: str) -> str:
    """Show each section's (core) or (at home) mark as a coloured label."""

    def label(match):
        kind = "core" if match[2] == "core" else "home"
        return f'{match[1]} <span class="handout-mark handout-{kind}">({match[2]})</span>'

    return _MARK.sub(label, page)


def external_references(page: str) -> list[str]:
    """List every script, style sheet, frame or font a page would load from the network.

    Plain links (``<a href=...>`` to papers and repositories) are fine and not listed.
    """
    return _EXTERNAL.findall(page)


def _still_widgets(notebook) -> None:
    """Replace each widget output by its still picture (when it offers one) and a note.

    A progress bar becomes one line that says a progress bar ran there.
    """
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME not in data:
                continue
            picture = data.get("image/png")
            text = data.get("text/plain", "")
            if not picture and _PROGRESS.search("".join(text) if isinstance(text, list) else text):
                # a finished progress bar: its saved text is its first moment, so say what it was
                output["data"] = {"text/html": f'<p class="handout-progress">{PROGRESS_NOTE}</p>'}
                continue
            image = (
                f'<img alt="a still picture of the widget" src="data:image/png;base64,{picture}">'
                if picture
                else ""
            )
            output["data"] = {
                "text/html": f'<div class="handout-widget">{image}<p>{WIDGET_NOTE}</p></div>'
            }
    notebook.metadata.pop("widgets", None)


def _css() -> str:
    return (HERE / "handout.css").read_text("utf-8")


def render_page(notebook: NotebookNode, *, nav: str, banner: str = "") -> str:
    """Render one executed notebook as a self-contained HTML page.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook (it is changed: widget outputs become still pictures).
    nav : str
        HTML for the navigation bar (links to the index and the neighbouring pages).
    banner : str
        Plain text shown at the top of the page, such as the offline-run label.
    """
    from nbconvert import HTMLExporter

    _still_widgets(notebook)
    exporter = HTMLExporter(
        template_name="handout",
        extra_template_basedirs=[str(HERE / "templates")],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {"handout": {"css": _css(), "nav": nav, "banner": html.escape(banner)}}
    page, _ = exporter.from_notebook_node(notebook, resources=resources)
    page = _marks(_BADGE.sub("Open in Colab", page))
    leftovers = external_references(page)
    if leftovers:  # our own bug: the template let something from the network through
        raise RuntimeError(f"handout page loads from the network: {leftovers[:3]}")
    return page


def render_markdown_page(markdown: str, *, title: str, nav: str) -> str:
    """Render a markdown document (such as the learner sheet) as a page that prints on paper."""
    from nbconvert.filters.markdown import markdown2html

    body = _marks(markdown2html(markdown))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_css()}</style>\n</head>\n"
        f'<body class="handout-sheet">\n<nav class="handout-nav">{nav}</nav>\n{body}\n'
        "</body>\n</html>\n"
    )


def render_index(
    entries: list[dict], *, title: str, introduction: str, banner: str = "", sheet: str = ""
) -> str:
    """Render the handout's front page: the workshop outline with a link to every notebook.

    Each entry has ``file`` (the page's file name), ``title``, ``promise``, ``minutes`` and
    ``objectives``. ``sheet`` is the file name of the learner sheet's page, if there is one.
    """
    items = []
    for entry in entries:
        objectives = "".join(f"<li>{html.escape(o)}</li>" for o in entry["objectives"])
        items.append(
            f'<li><a href="{html.escape(entry["file"])}"><strong>{html.escape(entry["title"])}</strong></a>'
            f' <span class="minutes">(about {entry["minutes"]} minutes)</span><br>'
            f"{html.escape(entry['promise'])}<ul>{objectives}</ul></li>"
        )
    banner_html = f'<p class="handout-banner">{html.escape(banner)}</p>' if banner else ""
    sheet_html = (
        f'<p class="handout-sheet-link"><a href="{html.escape(sheet)}"><strong>The learner '
        "sheet</strong></a>: one printable page with the links, how to start, the glossary and "
        "where to go next.</p>\n"
        if sheet
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_css()}</style>\n</head>\n"
        f'<body class="handout-index">\n<h1>{html.escape(title)}</h1>\n{banner_html}\n'
        f"<p>{html.escape(introduction)}</p>\n{sheet_html}<ol>{''.join(items)}</ol>\n"
        "</body>\n</html>\n"
    )
