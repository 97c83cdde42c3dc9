"""Draw the FFN Workbench icon (resources/icons/ffn-workbench.png) with Pillow.

Run ``python resources/make_icon.py`` after changing it; the PNG is committed.
The motif: EM-like cell compartments with dark membranes, one segment being flood-filled
from a seed.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZE = 256
OUT = Path(__file__).resolve().parent / "icons" / "ffn-workbench.png"
CELLS = [  # (box, grey level)
    ((-30, -20, 110, 120), 150), ((95, -30, 230, 95), 175), ((210, 20, 300, 170), 140),
    ((-20, 110, 100, 280), 165), ((80, 80, 200, 200), 185), ((185, 160, 290, 290), 155),
    ((90, 190, 200, 300), 145),
]
SEGMENT = (80, 80, 200, 200)


def draw_icon() -> Image.Image:
    """The icon as an RGBA image of ``SIZE`` pixels."""
    canvas = Image.new("L", (SIZE, SIZE), 60)
    draw = ImageDraw.Draw(canvas)
    for box, grey in CELLS:
        draw.ellipse(box, fill=grey, outline=35, width=9)
    em = canvas.filter(ImageFilter.GaussianBlur(2)).convert("RGBA")
    overlay = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    ImageDraw.Draw(overlay).ellipse(SEGMENT, fill=(40, 200, 120, 150),
                                    outline=(120, 255, 170, 255), width=6)
    em = Image.alpha_composite(em, overlay)
    seed = ImageDraw.Draw(em)
    seed.ellipse((128, 128, 152, 152), fill=(255, 235, 80, 255), outline=(60, 40, 0, 255),
                 width=3)
    mask = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(mask).rounded_rectangle((4, 4, SIZE - 5, SIZE - 5), radius=44, fill=255)
    icon = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    icon.paste(em, (0, 0), mask)
    return icon


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw_icon().save(OUT)
    print(f"wrote {OUT}")
