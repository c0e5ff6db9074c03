"""Render what an LED panel shows (rows of text, some blinking) as a picture of red dots."""
from PIL import Image, ImageDraw

from sim.render.fonts import unifont

DOT = 3            # screen pixels per LED
ROW_DOTS = 16      # a row is 16 LEDs high: one Unifont glyph


def rasterise(text, cols_dots):
    """The 1-bit dots a row of `cols_dots` LEDs lights for `text` (clipped on the right)."""
    img = Image.new("1", (cols_dots, ROW_DOTS), 0)
    ImageDraw.Draw(img).text((0, 0), text, font=unifont(16), fill=1)
    return img


def render(rows, cols=32, blink_phase_on=True):
    """rows: list of (text, blink). cols is in half-width characters (8 dots each)."""
    width = cols * 8
    out = Image.new("RGB", (width * DOT + 8, max(1, len(rows)) * (ROW_DOTS * DOT + 4) + 4), (20, 20, 20))
    draw = ImageDraw.Draw(out)
    for r, (text, blink) in enumerate(rows):
        dots = rasterise(text if (blink_phase_on or not blink) else "", width).load()
        top = 4 + r * (ROW_DOTS * DOT + 4)
        for y in range(ROW_DOTS):
            for x in range(width):
                colour = (255, 40, 20) if dots[x, y] else (50, 10, 10)
                cx, cy = 4 + x * DOT, top + y * DOT
                draw.rectangle((cx, cy, cx + DOT - 2, cy + DOT - 2), fill=colour)
    return out
