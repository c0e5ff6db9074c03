"""Render a ticket the simulated thermal printer interpreted into a picture (58 mm paper)."""
import qrcode
from PIL import Image, ImageDraw

from sim.escpos_model import Line
from sim.render.fonts import unifont

PAPER_WIDTH = 384          # dots across 58 mm paper at 203 dpi
BASE = 24                  # dots of one normal-size text line


def _draw_line(img, y, line):
    font = unifont(16)
    text = line.text or " "
    w = int(font.getlength(text)) or 1
    glyphs = Image.new("L", (w, 16), 255)
    ImageDraw.Draw(glyphs).text((0, 0), text, font=font, fill=0)
    scale_w, scale_h = 1.5 * line.width, 1.5 * line.height
    glyphs = glyphs.resize((max(1, int(w * scale_w)), int(16 * scale_h)), Image.NEAREST)
    x = {"left": 8, "center": (PAPER_WIDTH - glyphs.width) // 2,
         "right": PAPER_WIDTH - glyphs.width - 8}[line.align]
    img.paste(glyphs, (max(0, x), y))
    return glyphs.height + 6


def _draw_qr(img, y, data):
    code = qrcode.QRCode(border=2, box_size=5)
    code.add_data(data)
    picture = code.make_image(fill_color="black", back_color="white").convert("L")
    img.paste(picture, ((PAPER_WIDTH - picture.width) // 2, y))
    return picture.height + 6


def render(ticket):
    """A greyscale PIL image of the ticket, top to bottom as printed."""
    img = Image.new("L", (PAPER_WIDTH, 2000), 255)
    y = 12
    for item in ticket.items:
        y += _draw_line(img, y, item) if isinstance(item, Line) else _draw_qr(img, y, item[1])
    if ticket.cut:
        ImageDraw.Draw(img).line((0, y + 8, PAPER_WIDTH, y + 8), fill=128)
        y += 10
    return img.crop((0, 0, PAPER_WIDTH, y + 12))
