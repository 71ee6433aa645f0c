"""Replies longer than one Telegram message go out as several, cut where no tag or entity breaks."""

from __future__ import annotations

import html
import re

import pytest
from aiogram.methods import SendMessage

from journal.textnorm import shorten, split_html

TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def shown(part: str) -> str:
    """What the user reads: tags dropped, entities decoded; fails on a cut tag or entity."""
    stack: list[str] = []
    for match in TAG.finditer(part):
        if match.group(1):
            assert stack and stack.pop() == match.group(2), part[:80]
        else:
            stack.append(match.group(2))
    assert stack == [], f"tags left open: {stack}"
    text = TAG.sub("", part)
    assert "<" not in text and ">" not in text
    assert not re.search(r"&(?!(?:amp|lt|gt|quot|#\d+);)", text), "an entity was cut"
    return html.unescape(text)


def words_of(parts: list[str]) -> list[str]:
    return " ".join(shown(p) for p in parts).split()


def test_a_short_reply_is_left_as_it_is():
    assert split_html("<b>E-0001</b> · Session") == ["<b>E-0001</b> · Session"]


def test_a_long_reply_is_cut_at_line_ends_into_parts_under_the_limit():
    lines = [f"<b>Line {n}:</b> {html.escape('Q&A with Jon <shift> ' * 8)}" for n in range(200)]
    text = "\n".join(lines)
    parts = split_html(text)
    assert len(parts) > 1
    assert all(units(p) <= 4096 for p in parts)
    assert all(p.startswith("<b>Line ") for p in parts), "cut at a line end"
    assert words_of(parts) == shown(text).split()


def test_a_tag_around_a_long_text_is_closed_and_opened_again_in_each_part():
    text = "<b>Summary:</b> <i>" + "went through the checklist " * 400 + "</i>"
    parts = split_html(text, limit=1000)
    assert len(parts) > 3
    assert all(units(p) <= 1000 for p in parts)
    assert all(p.startswith("<i>") and p.endswith("</i>") for p in parts[1:])
    assert words_of(parts) == shown(text).split()


def test_entities_and_wide_characters_are_never_cut():
    text = "&amp;&lt;&gt;😀" * 2000
    parts = split_html(text, limit=4096)
    assert all(units(p) <= 4096 for p in parts)
    assert "".join(shown(p) for p in parts) == html.unescape(text)


def test_a_word_longer_than_a_message_is_cut_anyway():
    parts = split_html("x" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


COACHING = "ILM Level 3 Certificate in Workplace Coaching…"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("ILM Level 3 Certificate in Workplace Coaching & Mentoring", 50, COACHING),
        ("Short label", 30, "Short label"),
        ("D3.06 2.1 Undertake mentoring", 12, "D3.06 2.1…"),
        ("Supercalifragilistic", 8, "Superca…"),
        ("exactly ten", 11, "exactly ten"),
    ],
)
def test_a_shortened_label_ends_with_an_ellipsis_and_fits(text, limit, expected):
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def answer_of(n: int) -> str:
    """About 2,000 characters, with what HTML escaping makes longer."""
    return f"Answer {n}: " + "Q&A on the <handover> checklist, step by step. " * 42


async def test_an_entry_longer_than_one_message_opens_in_parts_with_its_buttons_on_the_last(
    mentor, mentee
):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("45 min")
    await mentor.click("In person")
    for n in range(1, 5):
        await mentor.send(answer_of(n))
    await mentor.click("Skip")
    await mentor.send("/entries")
    reply = await mentor.click(lambda t: t.startswith("E-0001"))
    sent = [c for c in reply.calls if isinstance(c, SendMessage)]
    assert len(sent) >= 3
    assert all(units(m.text) <= 4096 for m in sent)
    assert [m.reply_markup is not None for m in sent] == [False] * (len(sent) - 1) + [True]
    everything = " ".join(shown(m.text) for m in sent)
    for n in range(1, 5):
        assert " ".join(answer_of(n).split()) in " ".join(everything.split())
    reply = await mentor.click("Edit", reply)
    assert "Which part of E-0001" in reply.text
