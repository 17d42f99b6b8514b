"""Draw the favicon (a white balance on the court's blue) as app/static/favicon.ico and .png.

Pure Python (zlib and struct): no imaging library is a dependency of the project. Run it
again after changing the drawing: ``python tools/build_favicon.py``.
"""
from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
BLUE = (31, 78, 156)
WHITE = (255, 255, 255)
SAMPLES = 4  # per axis: 16 samples a pixel smooth the edges


def _inside_rounded_square(x: float, y: float, radius: float = 0.2) -> bool:
    cx, cy = min(max(x, radius), 1 - radius), min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def _segment_distance(x, y, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy))


def _in_balance(x: float, y: float) -> bool:
    """The balance in unit coordinates: post, base, beam, strings and two pans."""
    stroke = 0.045
    lines = [
        (0.5, 0.2, 0.5, 0.78),      # post
        (0.3, 0.8, 0.7, 0.8),       # base
        (0.18, 0.27, 0.82, 0.27),   # beam
        (0.22, 0.27, 0.12, 0.55), (0.22, 0.27, 0.32, 0.55),  # left strings
        (0.78, 0.27, 0.68, 0.55), (0.78, 0.27, 0.88, 0.55),  # right strings
    ]
    if any(_segment_distance(x, y, *seg) <= stroke for seg in lines):
        return True
    if math.hypot(x - 0.5, y - 0.19) <= 0.06:  # the knob on top
        return True
    for cx in (0.22, 0.78):  # pans: the lower half of a disc
        if y >= 0.55 and math.hypot((x - cx) / 0.12, (y - 0.55) / 0.1) <= 1:
            return True
    return False


def draw(size: int) -> bytes:
    """RGBA pixels of the icon at ``size`` × ``size``."""
    out = bytearray()
    for py in range(size):
        for px in range(size):
            cover = ink = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px + (sx + 0.5) / SAMPLES) / size
                    y = (py + (sy + 0.5) / SAMPLES) / size
                    if _inside_rounded_square(x, y):
                        cover += 1
                        ink += _in_balance(x, y)
            n = SAMPLES * SAMPLES
            if cover == 0:
                out += bytes(4)
                continue
            share = ink / cover
            rgb = [round(b + (w - b) * share) for b, w in zip(BLUE, WHITE)]
            out += bytes(rgb + [round(255 * cover / n)])
    return bytes(out)


def png(size: int) -> bytes:
    """The icon as a PNG file."""
    pixels = draw(size)
    rows = b"".join(b"\x00" + pixels[i * size * 4:(i + 1) * size * 4] for i in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def ico(sizes=(16, 32, 48)) -> bytes:
    """An ICO holding one PNG image per size (read by every current browser)."""
    images = [png(s) for s in sizes]
    offset = 6 + 16 * len(images)
    head, body = struct.pack("<HHH", 0, 1, len(images)), b""
    for size, data in zip(sizes, images):
        head += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset + len(body))
        body += data
    return head + body


if __name__ == "__main__":
    STATIC.mkdir(exist_ok=True)
    (STATIC / "favicon.ico").write_bytes(ico())
    (STATIC / "favicon.png").write_bytes(png(180))  # touch icon size
    print("wrote", STATIC / "favicon.ico", STATIC / "favicon.png")
