"""The /progress picture (PNG): hours against each minimum and the red/amber/green criteria
map, drawn with Pillow and the DejaVu font of exports/fonts (fpdf2 cannot make a PNG)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from exports.summary import RAG_RGB, Summary
from journal.hours import format_minutes

FONTS = Path(__file__).parent / "fonts"
WIDTH, CELL, GAP, LABEL = 900, 44, 4, 110


def progress_png(found: Summary, hours: list[tuple[str, int, int, int]]) -> bytes:
    """`hours`: (unit, logged minutes, confirmed minutes, minimum minutes) per hours unit."""
    font = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 15)
    small = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 11)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 16)
    per_row = (WIDTH - LABEL - 20) // (CELL + GAP)
    map_rows = sum(-(-len(u.cells) // per_row) for u in found.map)
    height = 60 + 34 * len(hours) + 40 + map_rows * (CELL // 2 + GAP + 2) + 40
    image = Image.new("RGB", (WIDTH, max(height, 120)), "white")
    draw = ImageDraw.Draw(image)
    y = 12
    draw.text((12, y), "Hours against each minimum", font=bold, fill="black")
    y += 30
    for unit, logged, confirmed, minimum in hours:
        draw.text((12, y), unit, font=font, fill="black")
        x0, x1 = LABEL, WIDTH - 260
        draw.rectangle((x0, y, x1, y + 20), outline=(150, 150, 150))
        share = min(1.0, logged / minimum) if minimum else 1.0
        colour = RAG_RGB["green" if share >= 1 else "amber" if share else "red"]
        draw.rectangle((x0, y, x0 + int((x1 - x0) * share), y + 20), fill=colour)
        text = f"{format_minutes(logged)} of {format_minutes(minimum)}"
        text += f" · {format_minutes(confirmed)} confirmed"
        draw.text((x1 + 8, y + 2), text, font=small, fill="black")
        y += 34
    y += 6
    draw.text(
        (12, y), "Criteria: green enough evidence, amber some, red none", font=bold, fill="black"
    )
    y += 30
    for unit in found.map:
        draw.text((12, y), unit.unit[:12], font=font, fill="black")
        for start in range(0, len(unit.cells), per_row):
            x = LABEL
            for code, colour in unit.cells[start : start + per_row]:
                draw.rectangle((x, y, x + CELL, y + CELL // 2), fill=RAG_RGB[colour])
                draw.text((x + 4, y + 4), code[:6], font=small, fill="black")
                x += CELL + GAP
            y += CELL // 2 + GAP + 2
    out = io.BytesIO()
    image.crop((0, 0, WIDTH, min(image.height, y + 20))).save(out, "PNG", optimize=True)
    return out.getvalue()
