"""Therapists' photos: check an upload, re-encode it into two clean square sizes, store them.

An upload is checked in the request (size, a real JPEG, PNG or WebP, pixel count, not a
decompression bomb) so the person gets a message at once and nothing is stored when it is
refused. The image work then runs in the worker (`process_photo_task`, enqueued in the
upload's transaction) on the stored original: until it is done the profile keeps its previous
photo (or initials) and `photo_pending` names the original; a file that fails there (it passed
the quick check but does not decode) sets `photo_failed_at`, which the owner's page reports.
The output is decoded and encoded again from pixels alone: no EXIF (GPS, camera,
time), no ICC profile (colors are converted to sRGB first), no XMP, no comments.

Files go through Django's STORAGES: "default" for the public sizes, "photo_originals" (never
served) for originals waiting for the worker; settings.py and docs/deploy.md say where.
"""

from __future__ import annotations

import io
import logging
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from rapport.moderation.services import audit_record

from .models import TherapistProfile

log = logging.getLogger(__name__)

# What a phone camera makes fits easily (a 12-megapixel JPEG is 2-6 MB); a raw export does not.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 40 megapixels: above any phone camera in use (48-200 MP sensors save 12 MP by default), and
# well under Pillow's own bomb limit (~89 MP): decoding 40 MP takes ~160 MB of memory.
MAX_PIXELS = 40_000_000
# Smaller than this cannot fill even the card's avatar on a high-density screen.
MIN_SIDE = 100
SMALL_PX = 160  # cards: a 3-3.5rem avatar on screens up to 3x
LARGE_PX = 480  # the profile page
FORMATS = ("JPEG", "PNG", "WEBP")
OUTPUT_QUALITY = 82
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRefused(Exception):
    """An upload we do not store, with the message the person sees."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


MESSAGES = {
    "too_big": _(
        "This file is larger than 10 MB. Please choose a smaller photo (a phone photo is "
        "usually 2 to 6 MB), or export it at a smaller size."
    ),
    "not_image": _(
        "This file is not a JPEG, PNG or WebP photo. Please choose a photo in one of those "
        "formats (SVG, HEIC, GIF and documents are not accepted)."
    ),
    "damaged": _("This photo could not be read: the file seems damaged. Please try another."),
    "too_many_pixels": _(
        "This image is too large in pixels (more than 40 megapixels). Please choose a photo "
        "of at most 40 megapixels, such as one straight from a phone camera."
    ),
    "too_small": _(
        "This photo is too small: it needs to be at least 100 by 100 pixels to show clearly."
    ),
}


def read_upload(upload: Any) -> bytes:
    """The upload's bytes, read no further than the limit (+1 byte to know it was over)."""
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise PhotoRefused(MESSAGES["too_big"])
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoRefused(MESSAGES["too_big"])
    return data


def _open(data: bytes) -> Image.Image:
    """Open (headers only) as one of FORMATS, refusing bombs and oversize pixel counts.

    Pillow itself warns above ~89 MP and raises above twice that; the warning is raised as an
    error here, and our own, lower cap is checked from the header before any pixel is decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused(MESSAGES["too_many_pixels"]) from exc
    except UnidentifiedImageError as exc:
        raise PhotoRefused(MESSAGES["not_image"]) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoRefused(MESSAGES["damaged"]) from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoRefused(MESSAGES["too_many_pixels"])
    if min(width, height) < MIN_SIDE:
        raise PhotoRefused(MESSAGES["too_small"])
    return image


def check_image(data: bytes) -> str:
    """The format of a real, readable JPEG, PNG or WebP within the limits; PhotoRefused otherwise.

    Cheap (no full decode of a JPEG): what the request can afford before storing the original.
    """
    image = _open(data)
    try:
        image.verify()
    except Exception as exc:  # verify() raises whatever the plugin meets: all mean "damaged"
        raise PhotoRefused(MESSAGES["damaged"]) from exc
    return str(image.format)


@dataclass(frozen=True)
class Rendered:
    data: bytes
    px: int


def render_sizes(data: bytes) -> tuple[Rendered, Rendered]:
    """(small, large): square, centered a little above the middle (where faces usually are),
    oriented by EXIF, in sRGB, as WebP with no metadata at all."""
    image = _open(data)
    try:
        if image.format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale when the result still covers LARGE_PX: a 12 MP
            # photo then decodes in ~40 ms instead of ~250 ms.
            image.draft("RGB", (LARGE_PX, LARGE_PX))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
        icc = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        image = _flatten(image)
        side = min(LARGE_PX, *image.size)
        large = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        large = _to_srgb(large, icc)
        small_side = min(SMALL_PX, side)
        small = large.resize((small_side, small_side), Image.Resampling.LANCZOS)
    except PhotoRefused:
        raise
    except Exception as exc:  # a truncated or corrupt file fails while decoding
        raise PhotoRefused(MESSAGES["damaged"]) from exc
    return Rendered(_encode(small), small_side), Rendered(_encode(large), side)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB; transparency onto white (a logo on a transparent background stays readable)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    # The ICC profile is dropped from the output, so its colors are converted first (phones
    # shoot in Display P3): on the small image, where it costs ~1 ms.
    if not icc:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: keep the pixels as they are
    return converted or image


def _encode(image: Image.Image) -> bytes:
    # A new image from the pixels alone: nothing of the source's `info` (exif, icc_profile,
    # xmp, comments) can reach the encoder.
    clean = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, "WEBP", quality=OUTPUT_QUALITY, method=4)
    return out.getvalue()


def originals() -> Storage:
    return storages["photo_originals"]


# --- Services --------------------------------------------------------------------------------


def photo_upload(*, profile: TherapistProfile, upload: Any, alt: str, by: Any) -> None:
    """Check an upload, keep the original privately and queue its processing for the worker.

    Raises PhotoRefused (nothing stored) for a file that is not a photo we accept. The task
    row is written in the caller's transaction: an upload that is rolled back queues nothing
    (its original is then deleted here when the rollback is this block's own).
    """
    data = read_upload(upload)
    check_image(data)
    name = originals().save(f"{profile.pk}-{secrets.token_hex(8)}", ContentFile(data))
    try:
        with transaction.atomic():
            locked = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
            locked.photo_pending, locked.photo_failed_at = name, None
            locked.save(update_fields=["photo_pending", "photo_failed_at", "updated_at"])
            process_photo_task.enqueue(profile.pk, name, alt, getattr(by, "pk", None))
    except Exception:
        originals().delete(name)
        raise
    profile.photo_pending, profile.photo_failed_at = name, None


@task()
def process_photo_task(profile_id: int, original: str, alt: str, by_id: int | None) -> None:
    """The worker's side of an upload. Not retried: a file that fails to decode fails again,
    and the original is deleted whatever happens (the owner uploads again)."""
    try:
        photo_process(profile_id=profile_id, original=original, alt=alt, by_id=by_id)
    except PhotoRefused:
        _mark_failed(profile_id, original)
        log.info("photo for profile %s could not be processed", profile_id)
    except Exception:
        _mark_failed(profile_id, original)
        raise  # unexpected (storage, database): the task's row says FAILED with the error


def _mark_failed(profile_id: int, original: str) -> None:
    # Only when this upload is still the latest: a newer one waiting keeps its own status.
    TherapistProfile.objects.filter(pk=profile_id, photo_pending=original).update(
        photo_pending="", photo_failed_at=timezone.now()
    )


def photo_process(*, profile_id: int, original: str, alt: str, by_id: int | None) -> None:
    """The image work: the stored original -> two sizes on the default storage -> the profile.

    The original is deleted whatever happens; files replaced by this photo are deleted once
    the change is committed. Raises PhotoRefused when the original cannot be processed.
    """
    store = originals()
    try:
        with store.open(original, "rb") as handle:
            data = handle.read()
        small, large = render_sizes(data)
    finally:
        store.delete(original)
    stem = f"photos/{profile_id}/{secrets.token_urlsafe(9)}"
    written = [
        default_storage.save(f"{stem}-{small.px}.webp", ContentFile(small.data)),
        default_storage.save(f"{stem}-{large.px}.webp", ContentFile(large.data)),
    ]
    try:
        with transaction.atomic():
            profile = TherapistProfile.objects.select_for_update().get(pk=profile_id)
            old = [profile.photo_small, profile.photo_large]
            profile.photo_small, profile.photo_small_px = written[0], small.px
            profile.photo_large, profile.photo_large_px = written[1], large.px
            profile.photo_alt = alt.strip()
            profile.photo_updated_at = timezone.now()
            if profile.photo_pending == original:
                profile.photo_pending, profile.photo_failed_at = "", None
            profile.save(update_fields=[*PHOTO_FIELDS, *STATUS_FIELDS, "updated_at"])
            audit_record(
                actor=_user(by_id), action="directory.profile.photo_changed", target=profile
            )
            transaction.on_commit(lambda: _delete_files(old))
    except Exception:
        _delete_files(written)  # the profile is gone or the write failed: no orphans
        raise


def photo_alt_change(*, profile: TherapistProfile, alt: str, by: Any) -> None:
    """New alt text for the photo already there (no new upload)."""
    with transaction.atomic():
        locked = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        locked.photo_alt = alt.strip()
        locked.save(update_fields=["photo_alt", "updated_at"])
        audit_record(actor=by, action="directory.profile.photo_alt_changed", target=locked)
    profile.photo_alt = locked.photo_alt


def photo_remove(*, profile: TherapistProfile, by: Any) -> None:
    """No photo: the initials show again; the files go once the change is committed."""
    with transaction.atomic():
        locked = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        old = [locked.photo_small, locked.photo_large]
        locked.photo_small = locked.photo_large = locked.photo_alt = ""
        locked.photo_small_px = locked.photo_large_px = 0
        locked.photo_updated_at = timezone.now()
        locked.photo_failed_at = None
        locked.save(update_fields=[*PHOTO_FIELDS, "photo_failed_at", "updated_at"])
        audit_record(actor=by, action="directory.profile.photo_removed", target=locked)
        transaction.on_commit(lambda: _delete_files(old))


PHOTO_FIELDS = [
    "photo_small",
    "photo_small_px",
    "photo_large",
    "photo_large_px",
    "photo_alt",
    "photo_updated_at",
]
STATUS_FIELDS = ["photo_pending", "photo_failed_at"]


def _user(user_id: int | None) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def _delete_files(names: list[str]) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            # A file left behind costs disk space, not correctness: the profile no longer names it.
            log.warning("photo file could not be deleted: %s", name)
