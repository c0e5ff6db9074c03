"""Find a font that has CJK glyphs: GNU Unifont (Debian: fonts-unifont), 16-pixel bitmaps."""
import os

from PIL import ImageFont

UNIFONT_PATHS = (
    "/usr/share/fonts/opentype/unifont/unifont.otf",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
)


class FontMissing(RuntimeError):
    pass


def unifont_path():
    for path in UNIFONT_PATHS:
        if os.path.exists(path):
            return path
    raise FontMissing("no CJK bitmap font: install Debian's fonts-unifont (make test does)")


def unifont(size=16):
    return ImageFont.truetype(unifont_path(), size)
