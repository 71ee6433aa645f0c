"""Text normalisation used to compare framework texts with the seed documents."""

import re

_SOFT_HYPHEN = "\u00ad"
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})
_BROKEN_WORD = re.compile(r"(\w)-\s+(\w)")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse whitespace and join words that a line break split with a hyphen.

    Both sides of a comparison go through this, so a hyphen the PDF added at a line end and a
    real compound hyphen compare equal to the joined word.
    """
    text = text.replace(_SOFT_HYPHEN, "").translate(_HYPHENS)
    text = _SPACES.sub(" ", text).strip()
    text = _BROKEN_WORD.sub(r"\1\2", text)
    return text.replace("-", "")
