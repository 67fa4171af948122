"""How long the worker takes to turn a 12-megapixel phone photo into the profile's two sizes.

    .venv/bin/python bench/photo.py [--runs 7] [--noise 24]

The issue's target: <= 1.5 s per photo. The photo is generated (no file is shipped): 4000 x
3000, a smooth scene with sensor-like noise (`--noise`, the standard deviation per channel;
pure random pixels, `--noise 128`, make the JPEG decoder's worst case), saved as a phone does:
JPEG quality 90 with EXIF (camera, orientation, GPS). Timed: `photos.render_sizes`, the
worker's image work (decode at a reduced scale, orient, crop, sRGB, resize, two WebP encodes),
and `photos.check_image`, what the upload request does before storing the original. Storage
writes are not timed: they depend on the store (disk, S3). Prints the median and the worst.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/, whose http.py would hide the standard library's.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from rapport.directory import photos  # noqa: E402


def phone_photo(noise: float, *, width: int = 4000, height: int = 3000) -> bytes:
    rng = np.random.default_rng(12)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    scene = np.stack(
        [
            120 + 80 * np.sin(x / 700) * np.cos(y / 500),
            110 + 60 * np.cos(x / 400 + y / 900),
            100 + 70 * np.sin((x + y) / 800),
        ],
        axis=-1,
    )
    scene += rng.normal(0, noise, scene.shape).astype(np.float32)
    image = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Phone 15", 6
    exif.get_ifd(0x8825).update({1: "N", 2: (47.0, 15.0, 9.0), 3: "W", 4: (122.0, 26.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--noise", type=float, default=24.0)
    args = parser.parse_args()
    data = phone_photo(args.noise)
    print(f"input: 4000x3000 JPEG, {len(data) / 1e6:.1f} MB, noise sd {args.noise:g}")
    if len(data) > photos.MAX_UPLOAD_BYTES:
        print("  (over the 10 MB upload limit: the request would refuse it; timed anyway)")
    photos.render_sizes(data)  # warm: plugin imports, the sRGB profile
    for label, work in (
        ("check_image (request)", lambda: photos.check_image(data)),
        ("render_sizes (worker)", lambda: photos.render_sizes(data)),
    ):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        print(
            f"{label:<24} median {statistics.median(times) * 1000:7.1f} ms"
            f"   worst {max(times) * 1000:7.1f} ms   ({args.runs} runs)"
        )
    small, large = photos.render_sizes(data)
    print(
        f"output: {small.px} px {len(small.data) / 1e3:.1f} kB, {large.px} px {len(large.data) / 1e3:.1f} kB (WebP)"
    )


if __name__ == "__main__":
    main()
