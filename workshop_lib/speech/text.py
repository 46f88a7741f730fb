"""Text before it is spoken: check it (empty, too long, unsayable characters) and split it into sentences.

Every engine calls :func:`check_text` at its public entry, so a learner's mistake gets one clear
message naming the characters or the limit, whatever the engine.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import WorkshopError

__all__ = ["check_text", "split_sentences", "unsayable_characters"]

# Letters the English-only engines (Festival, flite, MBROLA's US voices) know how to read.
_LATIN = "LATIN"
# Symbols that engines read aloud or skip quietly: currency, maths signs, ^ and `.
_SAYABLE_SYMBOLS = {"Sc", "Sm", "Sk"}
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "mt",
    "jr",
    "sr",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "no",
    "fig",
    "approx",
    "inc",
    "ltd",
    "co",
    "dept",
    "univ",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_SENTENCE_END = re.compile(r"([.!?…]+[\"'”’)\]]*)\s+")
_CLAUSE_END = re.compile(r"([,;:—–])\s+")


def _script(char: str) -> str:
    """The first word of a letter's Unicode name: LATIN, CYRILLIC, CJK, ARABIC, ..."""
    try:
        return unicodedata.name(char).split()[0]
    except ValueError:
        return "UNKNOWN"


def unsayable_characters(text: str, *, latin_only: bool = False) -> tuple[list[str], list[str]]:
    """Find the characters an engine cannot say.

    Parameters
    ----------
    text : str
        The text to look at.
    latin_only : bool
        True for engines that read only the Latin alphabet (English voices).

    Returns
    -------
    symbols : list of str
        Emoji, pictographs and other symbols no engine reads, in order of appearance.
    foreign : list of str
        Letters from another writing system (only with ``latin_only``).

    Examples
    --------
    >>> unsayable_characters("Hi 😀, Привет", latin_only=True)
    (['😀'], ['П', 'р', 'и', 'в', 'е', 'т'])
    """
    symbols: list[str] = []
    foreign: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace() or category[0] in "NPZ" or category in _SAYABLE_SYMBOLS:
            continue
        if category[0] == "L":
            if latin_only and _script(char) != _LATIN and char not in foreign:
                foreign.append(char)
            continue
        if category == "Mn" or category == "Mc":  # accents written as separate marks
            continue
        if char in "\u200d\ufe0f\ufe0e":  # joiners and emoji style selectors: part of an emoji
            continue
        if char not in symbols:
            symbols.append(char)
    return symbols, foreign


def _shown(chars: list[str], limit: int = 8) -> str:
    shown = " ".join(chars[:limit])
    return shown + (" …" if len(chars) > limit else "")


def check_text(
    text: object,
    *,
    engine: str,
    max_characters: int,
    latin_only: bool = False,
    other_language_hint: str = "",
) -> str:
    """Check text before an engine speaks it, and return it tidied (spaces and line ends evened out).

    Parameters
    ----------
    text : str
        What the learner typed.
    engine : str
        The engine's name, used in the messages.
    max_characters : int
        The longest text the engine accepts in one go.
    latin_only : bool
        True when the engine reads only the Latin alphabet.
    other_language_hint : str
        A sentence added to the message about other alphabets (which engine or voice to try).

    Returns
    -------
    str
        The text in Unicode normal form (NFC), with runs of spaces made one space.

    Raises
    ------
    WorkshopError
        For empty text, text over the limit, emoji and symbols, or (with ``latin_only``) letters
        from another writing system.

    Examples
    --------
    >>> check_text("  Hello,   library!  ", engine="espeak-ng", max_characters=100)
    'Hello, library!'
    """
    if not isinstance(text, str):
        raise WorkshopError(
            f'{engine} speaks text (a str in quotes, like "Hello"); it got {type(text).__name__}.'
        )
    text = unicodedata.normalize("NFC", text)
    text = "".join(c if unicodedata.category(c) != "Cc" or c in "\n\t" else " " for c in text)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text).strip()
    if not text:
        raise WorkshopError("There is no text to speak. Type a sentence first, then try again.")
    if len(text) > max_characters:
        raise WorkshopError(
            f"The text is {len(text):,} characters long; {engine} takes at most "
            f"{max_characters:,} at a time. Shorten it, or speak it in parts."
        )
    symbols, foreign = unsayable_characters(text, latin_only=latin_only)
    if symbols:
        raise WorkshopError(
            f"{engine} cannot say these characters: {_shown(symbols)}. Delete them, or write "
            "them as words (for example 'smiley' instead of an emoji)."
        )
    if foreign:
        scripts = sorted({_script(c).title() for c in foreign})
        raise WorkshopError(
            f"{engine} reads only the Latin alphabet, and the text has letters from another "
            f"writing system ({', '.join(scripts)}: {_shown(foreign)}). "
            f"{other_language_hint or 'Try espeak-ng, which speaks over 100 languages.'}"
        )
    return text


def _is_abbreviation(before: str) -> bool:
    """True when the text before a full stop ends in an abbreviation or a single initial."""
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = word.strip("\"'“‘(").rstrip(".").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str, *, longest: int = 250) -> list[str]:
    """Split text into sentences, so long texts can be spoken one sentence at a time.

    Sentences end at ``.``, ``!``, ``?`` or ``…`` followed by a space (not after abbreviations
    such as "Dr." or initials), and at blank lines. A sentence longer than ``longest`` characters
    is cut further at commas, semicolons or dashes, then at spaces: neural voices garble very
    long sentences.

    Parameters
    ----------
    text : str
        The text (already checked with :func:`check_text`).
    longest : int
        The longest piece, in characters.

    Returns
    -------
    list of str
        The sentences, in order, without empty ones.

    Examples
    --------
    >>> split_sentences("Dr. Klatt built a voice. It spoke! Did it sing?")
    ['Dr. Klatt built a voice.', 'It spoke!', 'Did it sing?']
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            end = match.end(1)
            if match.group(1).startswith(".") and _is_abbreviation(
                paragraph[start : match.start()]
            ):
                continue
            sentences.append(paragraph[start:end])
            start = match.end()
        sentences.append(paragraph[start:])
    pieces = []
    for sentence in (s.strip() for s in sentences):
        if sentence:
            pieces.extend(_cut(sentence, longest))
    return pieces


def _cut(sentence: str, longest: int) -> list[str]:
    """Cut one over-long sentence at clause marks, then at spaces, into pieces of at most ``longest``."""
    if len(sentence) <= longest:
        return [sentence]
    parts, current = [], ""
    for clause in _CLAUSE_END.sub(r"\1\n", sentence).split("\n"):
        candidate = f"{current} {clause}".strip()
        if len(candidate) <= longest:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(clause) > longest:
            cut = clause.rfind(" ", 0, longest)
            cut = cut if cut > 0 else longest
            parts.append(clause[:cut].strip())
            clause = clause[cut:].strip()
        current = clause
    if current:
        parts.append(current)
    return parts
