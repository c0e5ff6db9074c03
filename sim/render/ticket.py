"""Render a ticket the simulated thermal printer interpreted into a picture (58 or 80 mm paper:
12 dots a column of font A, 32 or 48 columns)."""
import qrcode
from PIL import Image, ImageDraw

from sim.escpos_model import Line
from sim.render.fonts import unifont

PAPER_WIDTH = 384          # dots across 58 mm paper at 203 dpi
DOTS_PER_COLUMN = 12
BASE = 24                  # dots of one normal-size text line


def _draw_line(img, y, line, paper):
    font = unifont(16)
    text = line.text or " "
    w = int(font.getlength(text)) or 1
    glyphs = Image.new("L", (w, 16), 255)
    ImageDraw.Draw(glyphs).text((0, 0), text, font=font, fill=0)
    scale_w, scale_h = 1.5 * line.width, 1.5 * line.height
    glyphs = glyphs.resize((max(1, int(w * scale_w)), int(16 * scale_h)), Image.NEAREST)
    x = {"left": 0, "center": (paper - glyphs.width) // 2, "right": paper - glyphs.width}[line.align]
    img.paste(glyphs, (max(0, x), y))
    return glyphs.height + 6


def _draw_qr(img, y, data, paper):
    code = qrcode.QRCode(border=2, box_size=5)
    code.add_data(data)
    picture = code.make_image(fill_color="black", back_color="white").convert("L")
    img.paste(picture, ((paper - picture.width) // 2, y))
    return picture.height + 6


def render(ticket):
    """A greyscale PIL image of the ticket, top to bottom as printed."""
    paper = getattr(ticket, "columns", 32) * DOTS_PER_COLUMN
    img = Image.new("L", (paper, 2000), 255)
    y = 12
    for item in ticket.items:
        y += _draw_line(img, y, item, paper) if isinstance(item, Line) else _draw_qr(img, y, item[1], paper)
    if ticket.cut:
        ImageDraw.Draw(img).line((0, y + 8, paper, y + 8), fill=128)
        y += 10
    return img.crop((0, 0, paper, y + 12))
