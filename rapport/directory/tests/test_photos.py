"""Therapists' photos, through HTTP as the owner and as a visitor: upload, refusals, display."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from rapport.directory import index as ix
from rapport.directory import photos
from rapport.directory.models import TherapistProfile
from rapport.moderation.models import AuditEvent
from rapport.taxonomy.models import Kind
from rapport.testing import alice, alice_profile, charlie, make_profile, run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

URL = "/account/profile/photo/"
ALT = "Alice smiling in her office"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> dict[str, Path]:
    """Photos and originals in this test's own folders (never the developer's data/)."""
    folders = {"media": tmp_path / "media", "originals": tmp_path / "originals"}
    settings.MEDIA_ROOT = folders["media"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folders["media"]},
        },
        "photo_originals": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folders["originals"]},
        },
    }
    return folders


def stored(folders: dict[str, Path]) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for root in folders.values()
        if root.exists()
        for p in root.rglob("*")
        if p.is_file()
    )


def owner_client() -> Client:
    client = Client()
    client.force_login(alice())
    return client


def camera_jpeg(width: int = 1200, height: int = 900, *, rotate: bool = False) -> bytes:
    """A photo as a phone saves it: EXIF with GPS coordinates, a camera model, an orientation."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    pixels[: height // 2, :, 0] = 250  # the top half red, to tell orientation apart
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 15"
    exif[ORIENTATION] = 6 if rotate else 1  # 6: the camera was turned; show rotated 90° clockwise
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (47.0, 15.0, 9.0), 3: "W", 4: (122.0, 26.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes(), icc_profile=b"")
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_2041.jpg", content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height: a decompression bomb's first bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1) * 4))
        + chunk(b"IEND", b"")
    )


def post_photo(client: Client, data: bytes, *, alt: str = ALT, process: bool = True, **kwargs):
    """Upload, then (unless `process` is False) run the worker as `rapport worker` would."""
    response = client.post(URL, {"photo": upload(data, **kwargs), "alt": alt})
    if process:
        run_tasks()
    return response


# --- Upload ------------------------------------------------------------------------------------


def test_it_stores_two_clean_square_sizes_without_exif_or_gps(media):
    client = owner_client()
    response = post_photo(client, camera_jpeg(1200, 900))
    assert response.status_code == 302 and response["Location"] == URL
    profile = alice_profile()
    assert (profile.photo_small_px, profile.photo_large_px) == (160, 480)
    assert profile.photo_alt == ALT
    for name, side in ((profile.photo_small, 160), (profile.photo_large, 480)):
        raw = (media["media"] / name).read_bytes()
        assert b"PhoneMaker" not in raw and b"Exif" not in raw
        image = Image.open(io.BytesIO(raw))
        assert image.format == "WEBP" and image.size == (side, side)
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "icc_profile", "xmp"} & set(image.info)
    # Only the two sizes remain: the original with its GPS is gone.
    assert stored(media) == sorted([profile.photo_small, profile.photo_large])
    assert AuditEvent.objects.filter(action="directory.profile.photo_changed").count() == 1
    # The page previews the result.
    page = client.get(URL).content.decode()
    assert f'src="/media/{profile.photo_large}"' in page and f'alt="{ALT}"' in page
    assert f'href="{profile.get_absolute_url()}"' in page


def test_nothing_is_processed_until_the_worker_runs(media):
    client = owner_client()
    post_photo(client, camera_jpeg(800, 800))
    first = alice_profile()
    response = post_photo(client, camera_jpeg(1200, 900), alt="Alice at her desk", process=False)
    assert response.status_code == 302
    # The previous photo stays, the page says the new one is on its way; only the original
    # waits, in the private store.
    profile = alice_profile()
    assert (profile.photo_small, profile.photo_alt) == (first.photo_small, ALT)
    assert profile.photo_pending and (media["originals"] / profile.photo_pending).exists()
    page = client.get(URL).content.decode()
    assert "Your photo is being processed; it appears in a minute" in page
    assert f'src="/media/{first.photo_large}"' in page
    run_tasks()
    profile = alice_profile()
    assert profile.photo_small != first.photo_small and profile.photo_alt == "Alice at her desk"
    assert profile.photo_pending == "" and not any(media["originals"].iterdir())
    page = client.get(URL).content.decode()
    assert "being processed" not in page and f'src="/media/{profile.photo_large}"' in page


def test_a_new_profile_shows_initials_until_the_worker_is_done():
    client = owner_client()
    post_photo(client, camera_jpeg(), process=False)
    page = client.get(URL).content.decode()
    assert "being processed" in page and '<div class="avatar' in page
    assert "avatar-photo" not in page


def test_a_rolled_back_upload_queues_nothing(media):
    from django_tasks_db.models import DBTaskResult

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        photos.photo_upload(
            profile=alice_profile(), upload=upload(camera_jpeg()), alt=ALT, by=alice()
        )
        assert DBTaskResult.objects.count() == 1
        raise Rollback
    assert DBTaskResult.objects.count() == 0
    run_tasks()
    assert alice_profile().photo_small == "" and alice_profile().photo_pending == ""


def test_a_photo_that_fails_in_the_worker_leaves_a_message_and_no_original(media):
    client = owner_client()
    post_photo(client, camera_jpeg(800, 800))
    before = alice_profile().photo_small
    # Cut short: passes the quick check (headers), fails decoding in the worker.
    post_photo(client, camera_jpeg(1200, 900)[:5000])
    profile = alice_profile()
    assert profile.photo_small == before and profile.photo_failed_at is not None
    assert profile.photo_pending == "" and not any(media["originals"].iterdir())
    page = client.get(URL).content.decode()
    assert "The last photo you sent could not be processed" in page
    post_photo(client, camera_jpeg(900, 900))
    assert alice_profile().photo_failed_at is None
    assert "could not be processed" not in client.get(URL).content.decode()


def test_it_applies_the_camera_orientation_before_dropping_it():
    post_photo(owner_client(), camera_jpeg(1200, 900, rotate=True))
    large = Image.open(io.BytesIO(_read(alice_profile().photo_large))).convert("RGB")
    # Turned 90° clockwise: the red top half is now the right half.
    left, right = large.getpixel((40, 240)), large.getpixel((440, 240))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert right[0] > 200 and left[0] < 200


def _read(name: str) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_it_keeps_a_small_photo_at_its_own_size():
    post_photo(owner_client(), camera_jpeg(300, 200), name="small.jpg")
    profile = alice_profile()
    assert (profile.photo_small_px, profile.photo_large_px) == (160, 200)
    assert Image.open(io.BytesIO(_read(profile.photo_large))).size == (200, 200)


def test_a_new_photo_replaces_the_old_files_and_remove_brings_back_the_initials(
    media, django_capture_on_commit_callbacks
):
    client = owner_client()
    post_photo(client, camera_jpeg())
    first = alice_profile().photo_small
    # The old files go once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client, camera_jpeg(800, 800))
    profile = alice_profile()
    assert profile.photo_small != first
    assert stored(media) == sorted([profile.photo_small, profile.photo_large])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("photos:remove"))
    assert response.status_code == 302
    assert stored(media) == []
    profile = alice_profile()
    assert (profile.photo_small, profile.photo_large, profile.photo_alt) == ("", "", "")
    page = Client().get(profile.get_absolute_url()).content.decode()
    assert '<div class="avatar" aria-hidden="true">AO</div>' in page


def test_the_alt_text_can_change_without_a_new_upload():
    client = owner_client()
    post_photo(client, camera_jpeg())
    name = alice_profile().photo_large
    response = client.post(URL, {"alt": "Alice at her desk by the window"})
    assert response.status_code == 302
    profile = alice_profile()
    assert profile.photo_alt == "Alice at her desk by the window" and profile.photo_large == name


def test_it_needs_a_signed_in_owner():
    assert Client().get(URL).status_code == 302
    assert Client().post(URL, {"photo": upload(camera_jpeg()), "alt": ALT}).status_code == 302
    client = Client()
    client.force_login(charlie())
    post_photo(client, camera_jpeg())
    # Charlie's own profile got it, never alice's.
    assert alice_profile().photo_small == ""
    assert TherapistProfile.objects.get(owner__email="charlie@example.org").photo_small


# --- Refusals: a message, and nothing stored ------------------------------------------------------


def assert_refused(response, message: str, media) -> None:
    assert response.status_code in (400, 413)
    page = response.content.decode()
    assert message in page, page
    assert stored(media) == []
    assert alice_profile().photo_small == ""


def test_it_refuses_a_40_mb_file_without_reading_it(media):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice())
    body = encode_multipart(
        BOUNDARY, {"alt": ALT, "photo": upload(b"\xff\xd8\xff" + b"\x00" * (40 * 1024 * 1024))}
    )

    class CountingPayload(FakePayload):
        read_bytes = 0

        def read(self, size: int = -1) -> bytes:
            chunk = super().read(size)
            CountingPayload.read_bytes += len(chunk)
            return chunk

    extra: dict[str, Any] = {"wsgi.input": CountingPayload(body)}
    response = client.generic("POST", URL, body, content_type=MULTIPART_CONTENT, **extra)
    assert CountingPayload.read_bytes == 0
    assert response.status_code == 413
    assert_refused(response, "larger than 10 MB", media)


def test_the_page_nginx_shows_for_an_upload_over_its_limit_says_why(media):
    response = owner_client().get(reverse("photos:too_large"))
    assert response.status_code == 413
    assert_refused(response, "larger than 10 MB", media)


def test_the_upload_still_needs_its_csrf_token(media):
    # The view is csrf_exempt on the outside only to look at the size first.
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice())
    response = client.post(URL, {"photo": upload(camera_jpeg()), "alt": ALT})
    assert response.status_code == 403
    assert stored(media) == [] and alice_profile().photo_small == ""
    page = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        URL, {"photo": upload(camera_jpeg()), "alt": ALT, "csrfmiddlewaretoken": token[1]}
    )
    run_tasks()
    assert response.status_code == 302 and alice_profile().photo_small


def test_it_refuses_a_file_over_the_limit_that_fits_the_request(media, monkeypatch):
    # A request within bounds whose file alone is over: the form reads no further than the limit.
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 50_000)
    response = post_photo(owner_client(), camera_jpeg())
    assert_refused(response, "larger than 10 MB", media)


def test_it_refuses_a_png_bomb(media):
    response = post_photo(
        owner_client(), png_declaring(30_000, 30_000), name="big.png", content_type="image/png"
    )
    assert_refused(response, "too large in pixels", media)


def test_it_refuses_more_pixels_than_its_own_cap_below_pillows(media):
    # 49 megapixels: under Pillow's own bomb limit (~89 MP), over ours (40 MP).
    response = post_photo(
        owner_client(), png_declaring(7_000, 7_000), name="wide.png", content_type="image/png"
    )
    assert_refused(response, "too large in pixels", media)


def test_it_refuses_an_svg(media):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><script>alert(1)</script></svg>'
    response = post_photo(owner_client(), svg, name="me.svg", content_type="image/svg+xml")
    assert_refused(response, "not a JPEG, PNG or WebP photo", media)


def test_it_refuses_html_named_jpg(media):
    page = b"<!doctype html><html><body><script>document.cookie</script></body></html>"
    response = post_photo(owner_client(), page, name="me.jpg", content_type="image/jpeg")
    assert_refused(response, "not a JPEG, PNG or WebP photo", media)


def test_a_truncated_jpeg_passes_the_quick_check_and_fails_in_the_worker(media):
    # The quick check reads headers only; decoding, in the worker, finds the file cut short.
    client = owner_client()
    response = post_photo(client, camera_jpeg()[:5000])
    assert response.status_code == 302
    assert stored(media) == [] and alice_profile().photo_small == ""
    assert "could not be processed: the file seems damaged" in client.get(URL).content.decode()


@pytest.mark.parametrize("alt", ["", "   ", "IMG_2041.jpg"])
def test_it_needs_alt_text_that_describes_the_photo(media, alt):
    response = post_photo(owner_client(), camera_jpeg(), alt=alt)
    assert_refused(response, "e.g. &#x27;Maria smiling in her office&#x27;", media)
    assert 'aria-invalid="true"' in response.content.decode()


# --- Shown on the four surfaces, lazily below the fold ----------------------------------------


def with_photo(name: str, **fields) -> TherapistProfile:
    """A published profile near Tacoma with a processed photo."""
    profile = make_profile(
        name=name,
        terms=[
            (Kind.ISSUE, "anxiety"),
            (Kind.INSURANCE, "aetna", "Aetna"),
            (Kind.LANGUAGE, "en", "English"),
            (Kind.AGE, "adults", "Adults"),
            (Kind.FORMAT, "individual", "Individual"),
        ],
        approaches=[("relational-therapy", "We work through the relationship.")],
        **fields,
    )
    original = photos.originals().save(f"{profile.pk}/o", io.BytesIO(camera_jpeg(600, 600)))
    photos.photo_process(
        profile_id=profile.pk, original=original, alt=f"{name} in her office", by_id=None
    )
    profile.refresh_from_db()
    return profile


def img_tags(page: str) -> list[str]:
    return re.findall(r"<img [^>]*>", page)


def small_img_of(profile: TherapistProfile, page: str) -> str:
    tags = [t for t in img_tags(page) if profile.photo_small in t]
    assert len(tags) == 1, img_tags(page)
    tag = tags[0]
    assert 'width="160" height="160"' in tag
    assert f'alt="{profile.photo_alt}"' in tag
    assert 'loading="lazy"' in tag and 'decoding="async"' in tag
    return tag


def test_it_shows_the_photo_on_the_profile_above_the_fold_without_lazy_loading():
    profile = with_photo("Ana Alvarez")
    page = Client().get(profile.get_absolute_url()).content.decode()
    tag = next(t for t in img_tags(page) if profile.photo_large in t)
    assert 'width="480" height="480"' in tag and f'alt="{profile.photo_alt}"' in tag
    assert "loading=" not in tag and 'decoding="async"' in tag
    # The file is served (make run has no nginx in front).
    served = Client().get(profile.photo_large_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"


def test_it_shows_photos_on_search_cards_and_initials_without_one():
    ana = with_photo("Ana Alvarez")
    make_profile(name="Ben Brooks", terms=[(Kind.ISSUE, "anxiety")])
    ix.index_touch(None)
    page = Client().get("/therapists/?location=98402").content.decode()
    small_img_of(ana, page)
    assert '<div class="avatar avatar-small" aria-hidden="true">BB</div>' in page


def test_it_shows_photos_among_an_approach_pages_specialists():
    ana = with_photo("Ana Alvarez")
    ix.index_touch(None)
    page = Client().get(reverse("directory:approach", args=["relational-therapy"])).content.decode()
    small_img_of(ana, page)


def test_it_shows_photos_on_match_results():
    ana = with_photo("Ana Alvarez")
    ix.index_touch(None)
    ix.reset_for_tests()
    client = Client()
    client.post("/match/", {"action": "start"})
    for number in (1, 2):
        client.post(f"/match/step/{number}/", {"action": "skip"})
    client.post("/match/step/3/", {"location": "Tacoma, WA", "mode": "both", "radius": "25"})
    for number in (4, 5, 6, 7):
        client.post(f"/match/step/{number}/", {"action": "skip"})
    page = client.get("/match/results/").content.decode()
    assert "Ana Alvarez" in page
    small_img_of(ana, page)


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: index, vocabulary and geo tables load once per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_photos_add_no_query_per_card():
    client = Client()
    search = "/therapists/?location=98402"
    approach = reverse("directory:approach", args=["relational-therapy"])
    for n in range(2):
        with_photo(f"Few {n}")
    ix.index_touch(None)
    few = (_queries(client, search), _queries(client, approach))
    for n in range(8):
        with_photo(f"Many {n}")
    ix.index_touch(None)
    page = client.get(search).content.decode()
    assert len([t for t in img_tags(page) if "avatar-photo" in t]) == 10
    assert (_queries(client, search), _queries(client, approach)) == few


# --- Demo profiles ------------------------------------------------------------------------------


def test_demo_profiles_get_shared_generated_avatars_marked_as_illustrations(media):
    from django.core.management import call_command

    from rapport.directory.demo import avatars
    from rapport.taxonomy.sync import sync_taxonomy

    sync_taxonomy()
    out = io.StringIO()
    call_command("seed_demo", "--therapists", "30", "--seed", "1", stdout=out)
    demo = TherapistProfile.objects.filter(source="demo")
    with_photo_ids = {p.pk for p in demo if p.photo_small}
    assert with_photo_ids == {p.pk for p in demo if p.pk % 3}
    assert f"{len(with_photo_ids)} demo profiles got one of 24 generated avatars" in out.getvalue()
    assert {p.photo_alt for p in demo if p.photo_small} == {avatars.ALT}
    # 24 pictures in two sizes, shared: no file per profile.
    files = stored(media)
    assert len(files) == 48
    assert Image.open(media["media"] / avatars.name_of(5, 480)).size == (480, 480)
    # A rerun draws nothing new and changes nothing.
    before = {p.pk: p.photo_small for p in demo}
    call_command("seed_demo", "--therapists", "30", "--seed", "1", stdout=io.StringIO())
    assert {p.pk: p.photo_small for p in TherapistProfile.objects.filter(source="demo")} == before
    assert stored(media) == files
    ix.index_touch(None)
    page = Client().get(demo.get(pk=min(with_photo_ids)).get_absolute_url()).content.decode()
    assert 'alt="Illustration (demo profile)"' in page
