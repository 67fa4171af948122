"""Demo profiles' avatars: a fixed set of abstract geometric pictures, clearly not people.

Why any: pages and benchmarks on demo data should show photos the way a real directory does
(cards with images, the no-extra-query rule measured with them), and also the initials
fallback, so two in three demo profiles get one and the rest keep their initials. Why
geometric: a demo profile is no real therapist, and a generated face would look like one.
The alt text says what they are.

24 pictures are drawn once into the default storage and shared: `seed_demo` at a million
profiles adds one UPDATE, not a million files.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from PIL import Image, ImageDraw

from ..models import TherapistProfile
from ..photos import LARGE_PX, SMALL_PX

COUNT = 24
ALT = "Illustration (demo profile)"
# Soft backgrounds, each with a darker and an accent tone (all light enough for a small circle).
PALETTES = [
    ((220, 237, 239), (7, 59, 67), (244, 162, 97)),
    ((237, 231, 246), (69, 39, 160), (255, 202, 40)),
    ((232, 245, 233), (27, 94, 32), (239, 83, 80)),
    ((255, 243, 224), (191, 54, 12), (38, 166, 154)),
    ((227, 242, 253), (13, 71, 161), (255, 167, 38)),
    ((252, 228, 236), (136, 14, 79), (102, 187, 106)),
    ((241, 248, 233), (51, 105, 30), (126, 87, 194)),
    ((236, 239, 241), (38, 50, 56), (255, 112, 67)),
]


def name_of(number: int, px: int) -> str:
    return f"photos/demo/avatar-{number}-{px}.webp"


def draw(number: int) -> Image.Image:
    """Picture `number` (0-23): a palette and one of three arrangements of shapes."""
    background, dark, accent = PALETTES[number % len(PALETTES)]
    size = LARGE_PX
    image = Image.new("RGB", (size, size), background)
    pen = ImageDraw.Draw(image)
    arrangement = number // len(PALETTES)
    if arrangement == 0:  # a quarter disc from one corner, a dot in the other
        pen.pieslice((-330, 150, 330, 810), 270, 360, fill=dark)
        pen.ellipse((300, 80, 400, 180), fill=accent)
    elif arrangement == 1:  # a triangle over a bar
        pen.polygon([(240, 60), (420, 360), (60, 360)], fill=dark)
        pen.rounded_rectangle((80, 380, 400, 430), radius=25, fill=accent)
    else:  # two overlapping squares
        pen.rounded_rectangle((70, 70, 300, 300), radius=30, fill=dark)
        pen.rounded_rectangle((180, 180, 410, 410), radius=30, fill=accent)
    return image


def _webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=82, method=4)
    return out.getvalue()


def ensure_files() -> None:
    """Draw and store the pictures the storage does not have yet (each run after the first:
    24 existence checks)."""
    for number in range(COUNT):
        if default_storage.exists(name_of(number, SMALL_PX)):
            continue
        large = draw(number)
        small = large.resize((SMALL_PX, SMALL_PX), Image.Resampling.LANCZOS)
        # Fixed names: save() would pick another name beside an existing file, so it is not asked.
        for px, image in ((LARGE_PX, large), (SMALL_PX, small)):
            name = name_of(number, px)
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, ContentFile(_webp(image)))


def assign() -> int:
    """Give two in three demo profiles without a photo one of the pictures (by id), in one
    statement; returns how many rows it set."""
    ensure_files()
    table = TherapistProfile._meta.db_table
    prefix = "photos/demo/avatar-"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET"
            f" photo_small = %s || CAST(id %% {COUNT} AS TEXT) || %s, photo_small_px = %s,"
            f" photo_large = %s || CAST(id %% {COUNT} AS TEXT) || %s, photo_large_px = %s,"
            " photo_alt = %s"
            " WHERE source = 'demo' AND photo_small = '' AND id %% 3 <> 0",
            [prefix, f"-{SMALL_PX}.webp", SMALL_PX, prefix, f"-{LARGE_PX}.webp", LARGE_PX, ALT],
        )
        return cursor.rowcount
