"""Draw the sample archive's photos with Pillow: illustrations, so they need no licence but ours.

Not run by a build: its output is committed in content/ beside the articles that show them. Run it
again (`.venv/bin/python bench/sample_photos.py`) only to change the pictures; it writes the same bytes
each time. The robots photo is stored sideways with an EXIF orientation and a GPS position, as a
phone would, to show the build turning it upright and dropping its EXIF data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

CONTENT = Path(__file__).resolve().parent.parent / "content"
WIDTH, HEIGHT = 1800, 1200


Colour = tuple[int, int, int]


def sky(top: Colour, bottom: Colour, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    """A vertical gradient from TOP to BOTTOM."""
    height = size[1]
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / (height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize(size)


def finish(image: Image.Image) -> Image.Image:
    """Soften the drawn edges a little, as a lens would."""
    return image.filter(ImageFilter.GaussianBlur(1.2))


def solar_field() -> Image.Image:
    image = sky((90, 150, 215), (235, 215, 170))
    draw = ImageDraw.Draw(image)
    draw.ellipse((1350, 120, 1530, 300), fill=(255, 240, 190))
    draw.rectangle((0, 700, WIDTH, HEIGHT), fill=(214, 178, 120))
    for row in range(4):
        y = 760 + row * 110
        for column in range(9):
            x = 60 + column * 195 + row * 25
            draw.polygon([(x, y + 70), (x + 40, y), (x + 190, y), (x + 150, y + 70)], fill=(35, 60, 110),
                         outline=(160, 180, 210))
            draw.line((x + 95, y + 70, x + 95, y + 100), fill=(90, 90, 90), width=6)
    return finish(image)


def output_chart() -> Image.Image:
    """A bar chart of the month's output (a PNG: flat colours, sharp edges)."""
    image = Image.new("RGB", (1200, 700), (253, 252, 249))
    draw = ImageDraw.Draw(image)
    draw.line((100, 620, 1140, 620), fill=(60, 60, 60), width=3)
    for index, value in enumerate((120, 180, 260, 310, 400, 470, 520, 560)):
        x = 140 + index * 125
        draw.rectangle((x, 620 - value, x + 80, 620), fill=(138, 28, 28) if index == 7 else (95, 99, 104))
    return image


def wheat_field() -> Image.Image:
    image = sky((150, 185, 215), (240, 225, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, WIDTH, HEIGHT), fill=(196, 160, 84))
    rng = random.Random(13)
    for _ in range(500):
        x, y = rng.randrange(WIDTH), rng.randrange(600, HEIGHT)
        tall = 30 + (y - 560) // 8
        draw.line((x, y, x + rng.randint(-6, 6), y - tall), fill=(150 + rng.randint(-20, 20), 115, 50), width=3)
    for x in range(0, WIDTH, 4):  # cracked earth in front
        y = 1130 + round(25 * math.sin(x / 37))
        draw.point((x, y), fill=(120, 90, 50))
    return finish(image)


def dry_soil() -> Image.Image:
    image = Image.new("RGB", (1400, 930), (170, 130, 85))
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    for _ in range(80):
        x, y = rng.randrange(1400), rng.randrange(930)
        points = [(x, y)]
        for _ in range(6):
            x, y = x + rng.randint(-90, 90), y + rng.randint(-90, 90)
            points.append((x, y))
        draw.line(points, fill=(95, 70, 45), width=rng.randint(3, 6))
    return finish(image)


def market_arches() -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (120, 85, 60))
    draw = ImageDraw.Draw(image)
    for index in range(5):
        left = 40 + index * 350
        draw.rectangle((left, 380, left + 300, 1200), fill=(60, 40, 30))
        draw.ellipse((left, 230, left + 300, 530), fill=(60, 40, 30))
        draw.rectangle((left + 30, 700, left + 270, 1000), fill=(200, 160, 60))  # a lit shop front
        for shelf in range(3):
            draw.line((left + 30, 760 + shelf * 80, left + 270, 760 + shelf * 80), fill=(120, 70, 30), width=8)
    draw.rectangle((0, 1100, WIDTH, HEIGHT), fill=(150, 140, 125))
    return finish(image)


def soap_bars() -> Image.Image:
    image = Image.new("RGB", (1600, 1200), (225, 215, 190))
    draw = ImageDraw.Draw(image)
    for row in range(5):
        for column in range(7):
            x, y = 60 + column * 220 + (row % 2) * 60, 80 + row * 215
            draw.rounded_rectangle((x, y, x + 180, y + 160), radius=18, fill=(170, 150, 80), outline=(120, 100, 50),
                                   width=4)
    return finish(image)


def robot() -> Image.Image:
    image = sky((225, 230, 235), (180, 185, 195))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 900, WIDTH, HEIGHT), fill=(120, 95, 70))  # the table
    draw.rounded_rectangle((700, 420, 1100, 860), radius=40, fill=(230, 120, 40), outline=(90, 50, 20), width=8)
    draw.rounded_rectangle((760, 220, 1040, 420), radius=30, fill=(240, 240, 240), outline=(60, 60, 60), width=8)
    for eye in (830, 930):
        draw.ellipse((eye, 280, eye + 50, 330), fill=(30, 120, 200))
    for wheel in (720, 980):
        draw.ellipse((wheel, 820, wheel + 100, 920), fill=(40, 40, 40))
    draw.line((700, 560, 520, 700), fill=(90, 90, 90), width=24)
    draw.line((1100, 560, 1280, 430), fill=(90, 90, 90), width=24)
    return finish(image)


def students() -> Image.Image:
    image = sky((200, 215, 230), (240, 240, 235), (1600, 1000))
    draw = ImageDraw.Draw(image)
    for index in range(6):
        x = 120 + index * 240
        draw.ellipse((x + 40, 330, x + 140, 430), fill=(150, 105, 80))
        draw.rounded_rectangle((x, 440, x + 180, 860), radius=50, fill=[(40, 70, 120), (120, 40, 60)][index % 2])
    draw.rectangle((0, 820, 1600, 1000), fill=(90, 80, 70))
    return finish(image)


def with_phone_exif(image: Image.Image) -> tuple[Image.Image, Image.Exif]:
    """IMAGE stored as a phone stores it: turned sideways, EXIF orientation 6, a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Arshif sample camera"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (55.0, 45.0, 20.0), "E", (37.0, 37.0, 4.0)
    return image.transpose(Image.Transpose.ROTATE_90), exif


PHOTOS: dict[str, Callable[[], Image.Image]] = {
    "2022/solar-field.jpg": solar_field,
    "2022/solar-output.png": output_chart,
    "2025/wheat-field.jpg": wheat_field,
    "2025/dry-soil.jpg": dry_soil,
    "2022/aleppo-market.jpg": market_arches,
    "2022/aleppo-soap.jpg": soap_bars,
    "2026/robot.jpg": robot,
    "2026/robot-students.jpg": students,
}


def main() -> None:
    for relative, draw in PHOTOS.items():
        path = CONTENT / relative
        image = draw()
        if relative.endswith(".png"):
            image.quantize(16).save(path, "PNG", optimize=True)
        elif relative == "2026/robot.jpg":
            stored, exif = with_phone_exif(image)
            stored.save(path, "JPEG", quality=74, optimize=True, exif=exif)
        else:
            image.save(path, "JPEG", quality=74, optimize=True)
        print(f"{path.stat().st_size:8d} {relative}")


if __name__ == "__main__":
    main()
