"""Which models the app may offer, and why: every model's licence, judged for the use the app shows.

The app is meant as a public web service that anyone may use, and that a library could one day
run as part of a paid service. A model whose licence forbids commercial use (or selling) is
therefore not offered in the app, even though the notebooks use it for learning. The licence
texts themselves come from the capabilities: every released model from
:data:`workshop_lib.catalog.BUNDLES`, and the speech programs (espeak-ng and the other classic
engines, which are programs, not models) from the speech registry. This module only records the
judgement and the reason, so that the app and the notebook can show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.display import HTML

    from ..models import ModelBundle

import html
from dataclasses import dataclass

from .. import catalog

__all__ = [
    "SPEECH_POLICY",
    "USE",
    "Verdict",
    "licence_markdown",
    "licence_rows",
    "licence_table",
    "model_verdict",
    "offered_engines",
    "speech_verdict",
]

USE = (
    "a public web app that anyone may use, which a library could also run as part of a paid service"
)
"""The use the app shows, against which each licence is judged."""


@dataclass(frozen=True)
class Verdict:
    """May the app offer this model? ``offered`` and the reason in plain words."""

    offered: bool
    reason: str


_CLONING = " It also copies voices, which needs the speaker's consent, so it stays in notebook 05."
SPEECH_POLICY = {
    "espeak-ng": Verdict(
        True,
        "GPL-3.0: running it on a server is allowed; whoever gives a changed program to others "
        "must share its source.",
    ),
    "mbrola": Verdict(
        False,
        "The MBROLA voices are given for non-commercial, non-military use only, and may not be "
        "sold.",
    ),
    "festival": Verdict(True, "BSD-style free licence: any use, keep the copyright notices."),
    "festival-hts": Verdict(True, "BSD-style free licence: any use, keep the copyright notices."),
    "flite": Verdict(True, "BSD-style free licence: any use, keep the copyright notices."),
    "pico": Verdict(True, "Apache-2.0: any use, keep the notices."),
    "piper": Verdict(
        True,
        "GPL-3.0 program (running it on a server is allowed); its voices are MIT, trained on "
        "CC0, CC BY, CC BY-SA or public-domain recordings: any use, keep the notices.",
    ),
    "tacotron2": Verdict(True, "Apache-2.0 weights: any use, keep the notices."),
    "vits": Verdict(True, "Apache-2.0 weights: any use, keep the notices."),
    "vits-vctk": Verdict(True, "Apache-2.0 weights: any use, keep the notices."),
    "your_tts": Verdict(
        False, "CC BY-NC-ND 4.0: non-commercial use only, no changed versions." + _CLONING
    ),
    "xtts_v2": Verdict(
        False,
        "Coqui Public Model License: non-commercial use only, and a commercial licence can no "
        "longer be bought." + _CLONING,
    ),
}
"""Speech engine name -> :class:`Verdict` for :data:`USE`."""


def speech_verdict(name: str) -> Verdict:
    """The verdict for a speech engine; an engine nobody has judged yet is not offered."""
    return SPEECH_POLICY.get(
        name,
        Verdict(False, "Nobody has checked this engine's licence for the app yet."),
    )


def offered_engines() -> list:
    """The speech engines the app offers: licence allows :data:`USE`, and installed here.

    Returns
    -------
    list of workshop_lib.speech.Engine
    """
    from ..speech.registry import available_engines

    return [engine for engine in available_engines() if speech_verdict(engine.name).offered]


_PERMISSIVE = {
    "BSD": "BSD: any use, keep the copyright notice.",
    "MIT": "MIT: any use, keep the copyright notice.",
    "voice MIT": "MIT voice, trained on openly licensed recordings: any use, keep the notices.",
    "Apache-2.0": "Apache-2.0: any use, keep the notices.",
}


def model_verdict(bundle: ModelBundle) -> Verdict:
    """The verdict for a released model (a :class:`~workshop_lib.models.ModelBundle`).

    A model with its own judgement (the speech models) has it; otherwise a licence of a known
    free family (BSD, MIT, Apache-2.0) is offered, and anything else is not, until someone has
    checked it.
    """
    if bundle.name in SPEECH_POLICY:
        return SPEECH_POLICY[bundle.name]
    for start, reason in _PERMISSIVE.items():
        if bundle.licence.startswith(start):
            return Verdict(True, reason)
    return Verdict(False, "Nobody has checked this model's licence for the app yet.")


def licence_rows() -> list[dict]:
    """Every model and speech program the workshop uses, its licence, and whether the app offers it.

    Returns
    -------
    list of dict
        ``{"task", "model", "licence", "offered", "reason"}`` per model, in the catalog's
        order, then the speech programs that are not models.
    """
    from ..speech.registry import engines

    rows = []
    for bundle in catalog.bundles().values():
        verdict = model_verdict(bundle)
        licence = "; ".join(text for text in (bundle.licence, bundle.code_licence) if text)
        rows.append(
            {
                "task": "speak" if bundle.task == "speech" else bundle.task,
                "model": bundle.name,
                "licence": licence,
                "offered": verdict.offered,
                "reason": verdict.reason,
            }
        )
    if not catalog.by_task("separate"):  # a separate/bundles.py not there yet: the registry's
        rows[2:2] = _spleeter_rows()
    named = {row["model"] for row in rows}
    for engine in engines():
        if engine.name in named:
            continue
        verdict = speech_verdict(engine.name)
        rows.append(
            {
                "task": "speak",
                "model": engine.name,
                "licence": engine.licence,
                "offered": verdict.offered,
                "reason": verdict.reason,
            }
        )
    return rows


def _spleeter_rows() -> list[dict]:
    from .. import assets

    return [
        {
            "task": "separate",
            "model": f"spleeter-{stems}",
            "licence": assets.REGISTRY[f"spleeter-{stems}"].licence,
            "offered": True,
            "reason": _PERMISSIVE["MIT"],
        }
        for stems in ("2stems", "4stems", "5stems")
        if f"spleeter-{stems}" in assets.REGISTRY
    ]


def licence_table() -> HTML:
    """Show :func:`licence_rows` as a table (for a notebook).

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    return HTML(_table_html(licence_rows()))


def licence_markdown() -> str:
    """:func:`licence_rows` as a Markdown table (for the app)."""
    lines = [
        f"The app is judged as **{USE}**.",
        "",
        "| task | model | licence | in the app? | why |",
        "|---|---|---|---|---|",
    ]
    for row in licence_rows():
        cells = [
            row["task"],
            row["model"],
            row["licence"],
            "yes" if row["offered"] else "**no**",
            row["reason"],
        ]
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines)


def _table_html(rows: list[dict]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("task", "model", "licence", "in the app?", "why"))
    body = "".join(
        "<tr>"
        f"<td>{html.escape(row['task'])}</td><td><b>{html.escape(row['model'])}</b></td>"
        f"<td>{html.escape(row['licence'])}</td>"
        f"<td>{'yes' if row['offered'] else '<b>no</b>'}</td>"
        f"<td>{html.escape(row['reason'])}</td></tr>"
        for row in rows
    )
    return (
        f"<p>Judged for this use: <i>{html.escape(USE)}</i>.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
