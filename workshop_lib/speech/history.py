"""A short history of machines that talk, as data: milestones with sources, and services compared.

:data:`TIMELINE` lists the milestones from the 1939 Voder to XTTS, each with the technique, who
built it, why it mattered, where to read more, and (where the workshop has one) the engine that
lets you hear that era. :data:`SERVICES` compares commercial services with open-source systems.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.display import HTML
    from matplotlib.figure import Figure

__all__ = [
    "ERAS",
    "SERVICES",
    "TIMELINE",
    "Milestone",
    "Service",
    "plot_timeline",
    "services_table",
    "timeline_table",
]


@dataclass(frozen=True)
class Milestone:
    """One step in the history of speech synthesis.

    Attributes
    ----------
    year : int
        When it appeared (the first year, where sources give a range).
    system : str
        Its name.
    technique : str
        One of :data:`ERAS`.
    who : str
        Who built it.
    why : str
        One line on why it mattered.
    sources : tuple of str
        Where the facts come from (web addresses, papers).
    engine : str or None
        A workshop engine that lets you hear this era, if there is one.
    """

    year: int
    system: str
    technique: str
    who: str
    why: str
    sources: tuple[str, ...]
    engine: str | None = None


ERAS = (
    "electrical and mechanical",
    "formant synthesis",
    "concatenation (diphones, unit selection)",
    "statistical parametric (HMM)",
    "neural",
    "commercial cloud services",
)
"""The techniques, in the order they appeared."""

TIMELINE: tuple[Milestone, ...] = (
    Milestone(
        1939,
        "Voder",
        "electrical and mechanical",
        "Homer Dudley, Bell Labs",
        "The first electronic speech synthesizer, played like an organ (keys for 10 band-pass filters, a pedal for pitch) at the New York and San Francisco World's Fairs; operators trained for about a year.",
        ("https://haskins.yale.edu", "AT&T Labs history timeline: the Voder (corp.att.com)"),
    ),
    Milestone(
        1950,
        "Pattern Playback",
        "electrical and mechanical",
        "Franklin S. Cooper, Haskins Laboratories",
        "Turned spectrograms painted by hand back into sound, showing which patterns of frequencies we hear as which speech sounds.",
        ("https://haskins.yale.edu", "120years.net: The Pattern Playback"),
    ),
    Milestone(
        1961,
        "IBM 704 sings 'Daisy Bell'",
        "electrical and mechanical",
        "John L. Kelly Jr., Carol Lochbaum; music by Max Mathews, Bell Labs",
        "A computer sang, and the demonstration inspired HAL 9000's 'Daisy' in 2001: A Space Odyssey (sources differ on 1961/62 and IBM 704/7094).",
        ("https://en.wikipedia.org/wiki/Daisy_Bell", "aneddoticamagazine.com; laughingsquid.com"),
    ),
    Milestone(
        1979,
        "MITalk",
        "formant synthesis",
        "Jonathan Allen, Sheri Hunnicutt, Dennis Klatt, MIT",
        "Complete text-to-speech: rules turn letters into phonemes, and Klatt's formant synthesizer turns them into sound.",
        (
            "Klatt, 'Review of text-to-speech conversion for English', JASA 82(3), 1987",
            "https://www.chiark.greenend.org.uk/~peterb/hawking/history.html",
        ),
        engine="espeak-ng",
    ),
    Milestone(
        1984,
        "DECtalk",
        "formant synthesis",
        "Digital Equipment Corporation, from Dennis Klatt's Klattalk",
        "A product anyone could buy (about US$4,000): voices like 'Perfect Paul' read telephone and weather messages.",
        ("Klatt, JASA 82(3), 1987", "https://en.wikipedia.org/wiki/DECtalk"),
        engine="espeak-ng",
    ),
    Milestone(
        1985,
        "Stephen Hawking's voice",
        "formant synthesis",
        "Speech Plus CallText 5010 (Klatt's lineage)",
        "The world's best-known synthetic voice, kept by Hawking for decades because it had become his own.",
        (
            "Computer History Museum, 2018: article on Stephen Hawking's voice (computerhistory.org)",
            "bigthink.com",
        ),
        engine="espeak-ng",
    ),
    Milestone(
        1996,
        "MBROLA",
        "concatenation (diphones, unit selection)",
        "Thierry Dutoit and team, Faculté Polytechnique de Mons",
        "Free diphone voices for dozens of languages: recorded snippets glued together, natural timbre, audible joins.",
        ("Dutoit et al., 'The MBROLA project', ICSLP 1996", "https://github.com/numediart/MBROLA"),
        engine="mbrola",
    ),
    Milestone(
        1996,
        "Unit selection",
        "concatenation (diphones, unit selection)",
        "Andrew Hunt and Alan Black, ATR (CHATR)",
        "Pick the best-fitting pieces from hours of recordings: the most natural voices of commercial TTS until about 2015.",
        (
            "Hunt & Black, 'Unit selection in a concatenative speech synthesis system using a large speech database', ICASSP 1996",
        ),
    ),
    Milestone(
        1997,
        "Festival",
        "concatenation (diphones, unit selection)",
        "Alan Black, Paul Taylor, Richard Caley, University of Edinburgh",
        "An open research framework that universities and companies built on for 25 years.",
        (
            "Black & Taylor, 'The Festival Speech Synthesis System', HCRC/TR-83, 1997",
            "http://www.cstr.ed.ac.uk/projects/festival.html",
        ),
        engine="festival",
    ),
    Milestone(
        2001,
        "Flite",
        "concatenation (diphones, unit selection)",
        "Alan Black and Kevin Lenzo, Carnegie Mellon University",
        "Festival made small and fast for phones and gadgets; its later voices (such as 'slt', which you hear here) use CLUSTERGEN statistical models.",
        ("Black & Lenzo, 'Flite: a small fast run-time synthesis engine', ISCA SSW4, 2001",),
        engine="flite",
    ),
    Milestone(
        1999,
        "HMM-based synthesis (HTS)",
        "statistical parametric (HMM)",
        "Keiichi Tokuda, Takayoshi Yoshimura, Heiga Zen and others, Nagoya Institute of Technology",
        "Statistical models predict the sound instead of gluing recordings: small, smooth, easy to adapt to a new voice, a little buzzy.",
        (
            "Yoshimura et al., 'Simultaneous modeling of spectrum, pitch and duration in HMM-based speech synthesis', Eurospeech 1999",
            "Zen, Tokuda, Black, 'Statistical parametric speech synthesis', Speech Communication 51, 2009",
            "https://hts.sp.nitech.ac.jp/",
        ),
        engine="festival-hts",
    ),
    Milestone(
        2009,
        "SVOX Pico on Android",
        "statistical parametric (HMM)",
        "SVOX AG; Android 1.6",
        "A small voice on millions of phones: text-to-speech as a standard feature of a pocket computer.",
        ("https://android.googlesource.com/platform/external/svox/",),
        engine="pico",
    ),
    Milestone(
        2016,
        "WaveNet",
        "neural",
        "DeepMind (van den Oord et al.)",
        "A neural network that writes the waveform sample by sample; in listening tests it closed the gap to human speech by over 50%.",
        (
            "van den Oord et al., arXiv:1609.03499",
            "DeepMind blog, September 2016: WaveNet, a generative model for raw audio",
        ),
    ),
    Milestone(
        2017,
        "Tacotron 2",
        "neural",
        "Google (Shen et al.)",
        "Letters in, spectrogram out, then a neural vocoder: close to human ratings (MOS 4.53 against 4.58).",
        ("arXiv:1712.05884", "https://google.github.io/tacotron/"),
        engine="tacotron2",
    ),
    Milestone(
        2018,
        "SV2TTS / Real-Time-Voice-Cloning",
        "neural",
        "Google (Jia et al.); Corentin Jemine's open implementation (2019)",
        "Clone a voice from seconds of audio: speaker encoder → synthesizer → vocoder.",
        ("arXiv:1806.04558", "https://github.com/CorentinJ/Real-Time-Voice-Cloning"),
    ),
    Milestone(
        2021,
        "VITS",
        "neural",
        "Jaehyeon Kim, Jungil Kong, Juhee Son (Kakao)",
        "One network from text to waveform, fast and natural; the base of many open voices (Piper, coqui).",
        ("arXiv:2106.06103", "https://github.com/jaywalnut310/vits"),
        engine="vits",
    ),
    Milestone(
        2021,
        "YourTTS",
        "neural",
        "Edresson Casanova and others, Coqui",
        "Zero-shot cloning in several languages from a few seconds of speech, in an open model.",
        ("arXiv:2112.02418",),
        engine="your_tts",
    ),
    Milestone(
        2023,
        "ElevenLabs, VALL-E",
        "neural",
        "ElevenLabs; Microsoft",
        "Cloning from seconds of audio goes mainstream, and so does its misuse: celebrity deepfakes within days of ElevenLabs' beta; Microsoft does not release VALL-E because of the risk.",
        (
            "Wang et al. (VALL-E), arXiv:2301.02111",
            "Vice / Motherboard, January 2023: reports on ElevenLabs voices misused",
        ),
    ),
    Milestone(
        2023,
        "Piper",
        "neural",
        "Michael Hansen (Rhasspy, then Nabu Casa and the Open Home Foundation)",
        "VITS voices exported to ONNX that speak faster than real time on a Raspberry Pi 4, offline, in dozens of languages.",
        ("https://github.com/rhasspy/piper", "https://github.com/OHF-Voice/piper1-gpl"),
        engine="piper",
    ),
    Milestone(
        2023,
        "XTTS-v2",
        "neural",
        "Coqui (Casanova et al.)",
        "Open-weights cloning in 17 languages from about 6 seconds, streaming as it speaks; non-commercial licence.",
        ("arXiv:2406.04904", "https://huggingface.co/coqui/XTTS-v2"),
        engine="xtts_v2",
    ),
    Milestone(
        2016,
        "Cloud voices: Amazon Polly, Google Cloud TTS, Azure",
        "commercial cloud services",
        "Amazon (Polly, 2016), Google (Cloud Text-to-Speech with WaveNet voices, about 2018), Microsoft (neural voices, 2018)",
        "Speech as a paid web service: send text, get audio; billed per million characters.",
        (
            "https://aws.amazon.com/polly/",
            "https://cloud.google.com/text-to-speech",
            "https://azure.microsoft.com/products/ai-services/text-to-speech",
        ),
    ),
)
"""The milestones, roughly in order; each has its sources."""


def timeline_table() -> HTML:
    """Show :data:`TIMELINE` as a table (year, system, technique, who, why, sources, engine)."""
    from IPython.display import HTML

    rows = []
    for m in sorted(TIMELINE, key=lambda m: m.year):
        sources = "<br>".join(_link(s) for s in m.sources)
        listen = f"<code>{m.engine}</code>" if m.engine else ""
        rows.append(
            f"<tr><td>{m.year}</td><td><b>{html.escape(m.system)}</b></td><td>{html.escape(m.technique)}</td>"
            f"<td>{html.escape(m.who)}</td><td>{html.escape(m.why)}</td><td><small>{sources}</small></td><td>{listen}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "year",
            "system",
            "technique",
            "who",
            "why it mattered",
            "sources",
            "hear it with",
        )
    )
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _link(source: str) -> str:
    text = html.escape(source)
    return f'<a href="{text}" target="_blank">{text}</a>' if source.startswith("http") else text


def plot_timeline(*, highlight_engines: bool = True) -> Figure:
    """Draw the timeline: one row per milestone, oldest at the top, coloured by technique.

    Milestones you can hear with an engine here are ringed and name the engine (▶ engine).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    milestones = sorted(TIMELINE, key=lambda m: (m.year, m.system))
    palette = plt.get_cmap("tab10")
    colours = {era: palette(number) for number, era in enumerate(ERAS)}
    figure, axes = plt.subplots(figsize=(11, 0.3 * len(milestones) + 1.4))
    for row, m in enumerate(milestones):
        y = len(milestones) - row
        axes.scatter(m.year, y, s=60, color=colours[m.technique], zorder=3)
        label = f"{m.system} ({m.year})"
        if highlight_engines and m.engine:
            axes.scatter(m.year, y, s=200, facecolors="none", edgecolors="black", zorder=2)
            label += f"   ▶ {m.engine}"
        axes.text(m.year + 1.5, y, label, va="center", fontsize=8.5)
    axes.set_yticks([])
    axes.set_xlim(1935, 2065)
    axes.set_xticks(range(1940, 2030, 10))
    axes.grid(axis="x", alpha=0.3)
    axes.set_xlabel("year")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colours[era], label=era) for era in ERAS
    ]
    axes.legend(handles=handles, loc="upper right", fontsize=8, title="technique", title_fontsize=8)
    axes.set_title("Machines that talk, 1939 to today (ringed: hear it in this notebook)")
    figure.tight_layout()
    plt.close(figure)  # shown once, as the cell's result
    return figure


@dataclass(frozen=True)
class Service:
    """A speech service or system, for the commercial vs open-source comparison."""

    name: str
    kind: str  # "commercial" or "open source"
    pricing: str
    cloning: str
    languages: str
    licence: str
    offline: str
    source: str


SERVICES: tuple[Service, ...] = (
    Service(
        "Google Cloud Text-to-Speech",
        "commercial",
        "pay per million characters, with a monthly free allowance",
        "custom voices by application (enterprise)",
        "over 50 languages",
        "proprietary; terms of service",
        "no (cloud API)",
        "https://cloud.google.com/text-to-speech/pricing",
    ),
    Service(
        "Amazon Polly",
        "commercial",
        "pay per million characters; free tier in the first year",
        "Brand Voice (custom project with Amazon)",
        "about 30+ languages",
        "proprietary; terms of service",
        "no (cloud API)",
        "https://aws.amazon.com/polly/pricing/",
    ),
    Service(
        "Microsoft Azure AI Speech",
        "commercial",
        "pay per million characters, with a monthly free allowance",
        "Custom Neural Voice and personal voice, by application",
        "over 100 languages and variants",
        "proprietary; terms of service",
        "mostly no (containers and embedded speech by approval)",
        "https://azure.microsoft.com/pricing/details/cognitive-services/speech-services/",
    ),
    Service(
        "ElevenLabs",
        "commercial",
        "monthly plans by characters or credits; small free plan",
        "yes: instant cloning on paid plans, with safeguards",
        "about 30 (more in newer models)",
        "proprietary; terms of service",
        "no (cloud API)",
        "https://elevenlabs.io/pricing",
    ),
    Service(
        "eSpeak NG",
        "open source",
        "free",
        "no",
        "over 100",
        "GPL-3.0",
        "yes",
        "https://github.com/espeak-ng/espeak-ng",
    ),
    Service(
        "Festival / Flite",
        "open source",
        "free",
        "no (you can build a voice from your recordings, with work)",
        "English mainly (others via voices)",
        "BSD-style",
        "yes",
        "http://festvox.org/",
    ),
    Service(
        "coqui-tts (VITS, Tacotron 2 models)",
        "open source",
        "free",
        "with YourTTS or XTTS-v2",
        "depends on the model (one to 1,100 with MMS)",
        "code MPL-2.0; each model has its own licence (Apache-2.0 for LJSpeech VITS)",
        "yes, after the download",
        "https://github.com/idiap/coqui-ai-TTS",
    ),
    Service(
        "Piper",
        "open source",
        "free",
        "no",
        "over 40 (about 160 voices)",
        "program GPL-3.0-or-later; voice networks MIT; each voice's recordings have their own licence (joe: CC0)",
        "yes: made for it (fast on a CPU)",
        "https://github.com/OHF-Voice/piper1-gpl",
    ),
    Service(
        "XTTS-v2",
        "open weights",
        "free for non-commercial use",
        "yes, from about 6 seconds",
        "17",
        "CPML: non-commercial only",
        "yes, after the 1.9 GB download (GPU recommended)",
        "https://huggingface.co/coqui/XTTS-v2",
    ),
    Service(
        "Piper",
        "open source",
        "free",
        "no (fine-tune your own voice)",
        "about 30+",
        "GPL-3.0 (new fork); each voice has its own licence",
        "yes, even on a Raspberry Pi",
        "https://github.com/OHF-Voice/piper1-gpl",
    ),
)
"""Commercial services next to open-source systems. Prices and counts change: check the source."""


def services_table() -> HTML:
    """Show :data:`SERVICES` as a table: pricing model, cloning, languages, licence, runs offline."""
    from IPython.display import HTML

    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "name",
            "kind",
            "pricing model",
            "voice cloning",
            "languages",
            "licence",
            "runs offline",
            "source",
        )
    )
    rows = "".join(
        f"<tr><td><b>{html.escape(s.name)}</b></td><td>{s.kind}</td><td>{html.escape(s.pricing)}</td>"
        f"<td>{html.escape(s.cloning)}</td><td>{html.escape(s.languages)}</td><td>{html.escape(s.licence)}</td>"
        f"<td>{html.escape(s.offline)}</td><td><small>{_link(s.source)}</small></td></tr>"
        for s in SERVICES
    )
    note = "<p><small>Prices, language counts and terms change often: follow the source links for today's facts. No API key is needed to read this table.</small></p>"
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{note}")
