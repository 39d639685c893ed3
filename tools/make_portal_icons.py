"""Draws the customer portal's app icons (a speech bubble with a lorry) as PNG files.

	python tools/make_portal_icons.py     writes icon-192.png and icon-512.png into the app's
	                                      public/icons/ (served as /assets/techsolutions_support/icons/)

Plain Python (zlib and struct), no imaging library. The picture stays inside the middle 80 %
of the square, so launchers that cut icons to a circle ("maskable") keep all of it.
"""

import struct
import sys
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "apps/techsolutions_support/techsolutions_support/public/icons"
SIZES = (192, 512)
BLUE = (0x1F, 0x4E, 0x79)
WHITE = (0xFF, 0xFF, 0xFF)
# Each pixel is the average of SAMPLES x SAMPLES points: smooth edges.
SAMPLES = 3


def in_rounded_rect(
	x: float, y: float, left: float, top: float, right: float, bottom: float, radius: float
) -> bool:
	if not (left <= x <= right and top <= y <= bottom):
		return False
	cx = min(max(x, left + radius), right - radius)
	cy = min(max(y, top + radius), bottom - radius)
	return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def in_triangle(x: float, y: float, a: tuple, b: tuple, c: tuple) -> bool:
	def side(p, q):
		return (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1])

	d1, d2, d3 = side(a, b), side(b, c), side(c, a)
	return not ((d1 < 0 or d2 < 0 or d3 < 0) and (d1 > 0 or d2 > 0 or d3 > 0))


def in_circle(x: float, y: float, cx: float, cy: float, r: float) -> bool:
	return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(x: float, y: float) -> tuple[int, int, int]:
	"""The picture in unit coordinates (0..1, y downwards)."""
	bubble = in_rounded_rect(x, y, 0.18, 0.22, 0.82, 0.68, 0.09) or in_triangle(
		x, y, (0.30, 0.66), (0.44, 0.66), (0.28, 0.80)
	)
	if not bubble:
		return BLUE
	lorry = (
		in_rounded_rect(x, y, 0.27, 0.33, 0.56, 0.53, 0.015)
		or in_rounded_rect(x, y, 0.575, 0.40, 0.71, 0.53, 0.03)
		or in_circle(x, y, 0.36, 0.555, 0.045)
		or in_circle(x, y, 0.63, 0.555, 0.045)
	)
	window = in_rounded_rect(x, y, 0.61, 0.425, 0.685, 0.47, 0.01)
	hub = in_circle(x, y, 0.36, 0.555, 0.015) or in_circle(x, y, 0.63, 0.555, 0.015)
	return BLUE if lorry and not window and not hub else WHITE


def render(size: int) -> bytes:
	rows = []
	for py in range(size):
		row = bytearray([0])  # filter type 0 (none)
		for px in range(size):
			total = [0, 0, 0]
			for sy in range(SAMPLES):
				for sx in range(SAMPLES):
					colour = colour_at((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size)
					for channel in range(3):
						total[channel] += colour[channel]
			row.extend(round(value / SAMPLES**2) for value in total)
		rows.append(bytes(row))
	return png(size, size, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
	def chunk(kind: bytes, data: bytes) -> bytes:
		return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

	header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bit RGB
	return (
		b"\x89PNG\r\n\x1a\n"
		+ chunk(b"IHDR", header)
		+ chunk(b"IDAT", zlib.compress(raw, 9))
		+ chunk(b"IEND", b"")
	)


def main() -> int:
	ICONS.mkdir(parents=True, exist_ok=True)
	for size in SIZES:
		path = ICONS / f"icon-{size}.png"
		path.write_bytes(render(size))
		sys.stdout.write(f"{path} ({path.stat().st_size} bytes)\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
