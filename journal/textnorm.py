"""Text normalisation used to compare framework texts with the seed documents, and the shape
of text for the chat: labels shortened with an ellipsis, long HTML replies split in messages."""

import re
from typing import NamedTuple

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


# --- Text for the chat ------------------------------------------------------------------------

TELEGRAM_LIMIT = 4096  # characters of one message, as Telegram counts them (UTF-16 units)
_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|\n|[ \t]+|[^<&\s]+|[<&]")
_TAG_NAME = re.compile(r"</?([a-zA-Z][\w-]*)")
_TRIM = " \t,;:&-–—·/("


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters; a cut one ends with “…”, at a word end if near."""
    if len(text) <= limit:
        return text
    room = text[: max(limit - 1, 0)]
    space = room.rfind(" ")
    if space >= len(room) * 2 // 3:
        room = room[:space]
    return room.rstrip(_TRIM) + "…"


class _Cut(NamedTuple):
    end: int  # the atoms before this index go in the part
    tags: tuple[str, ...]  # opening tags in force there
    size: int  # units of the part up to there
    last: str  # the atom the part would end with


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _atoms(html: str, longest: int) -> list[str]:
    """Tags, entities, line breaks, spaces and words; a word over `longest` units in pieces."""
    atoms: list[str] = []
    for atom in _ATOM.findall(html):
        if atom[0] in "<&" or _units(atom) <= longest:
            atoms.append(atom)
            continue
        piece = ""
        for char in atom:
            if _units(piece + char) > longest:
                atoms.append(piece)
                piece = ""
            piece += char
        atoms.append(piece)
    return atoms


def _opened(stack: tuple[str, ...], atom: str) -> tuple[str, ...]:
    """The opening tags in force after `atom`."""
    name = _tag_name(atom)
    if not name:
        return stack
    if not atom.startswith("</"):
        return (*stack, atom)
    for i in range(len(stack) - 1, -1, -1):
        if _tag_name(stack[i]) == name:
            return stack[:i] + stack[i + 1 :]
    return stack


def _tag_name(atom: str) -> str:
    tag = _TAG_NAME.match(atom) if atom.startswith("<") else None
    return tag.group(1) if tag else ""


def _closing(stack: tuple[str, ...]) -> str:
    return "".join(f"</{_tag_name(t)}>" for t in reversed(stack))


def split_html(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """An HTML reply as messages of at most `limit` units each, in order.

    Telegram counts the text after its HTML is parsed; counting the HTML itself is safe (never
    shorter). Parts end at a line break if one is in the second half of the room, else at a
    space, else anywhere between two characters; never inside a tag or an entity. A tag open
    at a cut is closed at the end of its part and opened again at the start of the next.
    """
    if _units(html) <= limit:
        return [html]
    atoms = _atoms(html, max(limit // 4, 1))
    parts: list[str] = []
    stack: tuple[str, ...] = ()
    i = 0
    while i < len(atoms):
        while i < len(atoms) and atoms[i].isspace():  # a part starts with what it says
            i += 1
        if i == len(atoms):
            break
        opening = "".join(stack)
        size, inner = _units(opening), stack
        fits: list[_Cut] = []  # every place this part could end
        j = i
        while j < len(atoms):
            after = _opened(inner, atoms[j])
            grown = size + _units(atoms[j])
            if grown + _units(_closing(after)) > limit:
                break
            size, inner, j = grown, after, j + 1
            fits.append(_Cut(j, inner, size, atoms[j - 1]))
        if j == len(atoms):
            parts.append(opening + "".join(atoms[i:]))
            break
        if not fits:  # only the tags carried over would fit: drop them rather than loop
            stack = ()
            continue
        cut = _best_cut(fits, limit)
        body = "".join(atoms[i : cut.end]).rstrip()
        parts.append(opening + body + _closing(cut.tags))
        stack, i = cut.tags, cut.end
    return [p for p in parts if p.strip()]


def _best_cut(fits: list[_Cut], limit: int) -> _Cut:
    """A line break in the second half of the room, else the last space, else the last fit."""
    breaks = [c for c in fits if c.last == "\n" and c.size >= limit // 2]
    spaces = [c for c in fits if c.last.isspace()]
    return (breaks or spaces or fits)[-1]
