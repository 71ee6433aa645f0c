"""/progress sends the hours and the red/amber/green criteria map as a PNG."""

from __future__ import annotations

import io

from PIL import Image

from exports import export_view
from exports.picture import progress_png
from exports.summary import summary
from journal.frameworks.registry import load_registry
from tests.snapshots import ilm_snapshot


def test_the_progress_picture_is_a_png_with_the_hours_and_the_map() -> None:
    found = summary(export_view(ilm_snapshot(), load_registry(None)))
    png = progress_png(found, [("ilm D3.06", 600, 75, 360), ("ilm D3.07", 600, 75, 1200)])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 900 and image.height > 300
    colours = {c for _, c in image.getcolors(1 << 16)}
    assert (87, 187, 138) in colours and (230, 124, 115) in colours  # green and red cells
