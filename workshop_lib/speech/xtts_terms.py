"""XTTS-v2's terms (non-commercial use only), in plain words, and the learner's acceptance.

The acceptance is written where coqui-tts looks for it, so coqui-tts does not stop to ask.
"""

from __future__ import annotations

from ..errors import WorkshopError
from .coqui_models import coqui_folder

__all__ = ["XTTS_TERMS", "accept_xtts_terms", "require_terms", "xtts_terms_accepted"]

XTTS_TERMS = """\
XTTS-v2 comes with the Coqui Public Model License (CPML): https://tts-hub.github.io/cpml

In plain words:
  • You may use XTTS-v2 and the audio it makes only for NON-COMMERCIAL purposes:
    learning, personal projects, research. Not in anything that is sold or earns money.
  • Coqui, the company that made it, closed in early 2024, so a commercial licence can no
    longer be bought. Coqui's own download prompt still asks you to confirm either
    "I have purchased a commercial license from Coqui" or "Otherwise, I agree to the terms
    of the non-commercial CPML". Accepting here means the second: non-commercial use only.
  • The licence comes with the model (about 1.9 GB), which is downloaded from Hugging Face.

The workshop adds one rule of its own: clone only your own voice, or the voice of someone who
gave you permission, and never use a copied voice to deceive anyone.
"""
"""Coqui's terms for XTTS-v2, in plain words; the notebook shows them before asking for acceptance."""

_COQUI_TOS_SENTENCE = "I have read, understood and agreed to the Terms and Conditions."


def xtts_terms_accepted() -> bool:
    """True when the XTTS-v2 terms were accepted on this computer (see :func:`accept_xtts_terms`)."""
    return (coqui_folder("xtts_v2") / "tos_agreed.txt").is_file()


def require_terms() -> None:
    """Refuse to load XTTS-v2 until its terms are accepted (the message says how)."""
    if not xtts_terms_accepted():
        raise WorkshopError(
            "XTTS-v2 is licensed for non-commercial use only. Read the terms "
            "(print(speech.XTTS_TERMS)) and accept them with "
            "speech.cloning_engine(accept_xtts_terms=True) before loading it."
        )


def accept_xtts_terms(accept: bool) -> bool:
    """Record that you read :data:`XTTS_TERMS` and accept them (non-commercial use only).

    The acceptance is written where coqui-tts looks for it (``tos_agreed.txt`` in the model's
    folder), so coqui-tts does not stop to ask again. Passing False withdraws it.

    Parameters
    ----------
    accept : bool
        True to accept, False to withdraw an earlier acceptance.

    Returns
    -------
    bool
        Whether the terms are accepted now.
    """
    path = coqui_folder("xtts_v2") / "tos_agreed.txt"
    if accept is not True:
        path.unlink(missing_ok=True)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_COQUI_TOS_SENTENCE, "utf-8")
    return True
