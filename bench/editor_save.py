"""Editor save timing: N saves of each section through the test client on a seeded SQLite DB.

    .venv/bin/python -m bench.editor_save [--therapists 2000] [--saves 40]

A benchmark, not a test: performance.md's target is "an editor save p95 <= 100 ms".
It uses a dataset of its own (bench/out/editor/, never data/), seeds demo profiles once,
gives one published profile and one draft profile an owner, and posts each section's
form N times, each time with a small real change, so every save writes (or, for the
reviewed sections of the published profile, stores its revision). The time is the whole
request: middleware, session, form validation, the interchange rules, the writes and
the index's change log. Prints p50 / p95 / max per section and overall.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Run as a file, bench/ would be first on the path and its http.py would shadow the stdlib's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
OUT = REPO / "bench" / "out" / "editor"


def _setup() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("DATABASE_URL", "REDIS_URL", "RAPPORT_INDEX_DIR", "RAPPORT_ENV"):
        os.environ.pop(name, None)
    os.environ["RAPPORT_DATA_DIR"] = str(OUT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "rapport.settings"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def post_data(form: Any) -> dict[str, Any]:
    """What a browser would post for this form as it is rendered (its initial values)."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    for formset in form.formsets:
        management = formset.management_form
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(management.initial["TOTAL_FORMS"])
        data[f"{formset.prefix}-INITIAL_FORMS"] = "0"
        for row in formset.forms:
            for bound in row:
                if bound.name != "DELETE":
                    value = bound.value()
                    data[bound.html_name] = "" if value is None else str(value)
    return data


def _change(section: str, data: dict[str, Any], i: int) -> dict[str, Any]:
    """A small real change per save, different each time."""
    data = dict(data)
    if section == "basics":
        data["pronouns"] = f"they/them {i % 7}"
    elif section == "licenses":
        data["licenses-0-number"] = f"LN{i:06d}"
    elif section == "practice":
        data["fee_min"] = str(60 + i % 20)
    elif section == "clients":
        issues = list(data.get("issues", []))
        data["issues"] = issues[:-1] if i % 2 and len(issues) > 1 else issues
    elif section == "approaches":
        slug = next((k for k in data if k.startswith("statement_")), None)
        if slug:
            data[slug] = f"I use this approach with care, revision {i}."
    elif section == "about":
        data["statement"] = f"A general statement about how I work, revision {i}."
    elif section == "contact":
        data["phone"] = f"(253) 555-{i % 10000:04d}"
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--therapists", type=int, default=2000)
    parser.add_argument("--saves", type=int, default=40)
    args = parser.parse_args()
    _setup()

    from django.core.management import call_command
    from django.test import Client

    from rapport.accounts.models import User
    from rapport.directory.editor import forms as ef
    from rapport.directory.editor.sections import SECTIONS
    from rapport.directory.editor.services import profile_document
    from rapport.directory.models import Status, TherapistProfile

    call_command("migrate", verbosity=0)
    call_command("sync_taxonomy", verbosity=0)
    if not TherapistProfile.objects.exists():
        print(f"seeding {args.therapists} demo therapists into {OUT} ...")
        call_command("seed_demo", therapists=args.therapists, seed=1, verbosity=0)

    results: dict[str, list[float]] = {}
    for status in (Status.PUBLISHED, Status.DRAFT):
        email = f"bench-{status}@example.org"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password="x" * 20
        )
        profile = TherapistProfile.objects.filter(owner=user).first()
        if profile is None:
            profile = (
                TherapistProfile.objects.filter(owner=None, status=Status.PUBLISHED)
                .exclude(approach_statements=None)
                .order_by("pk")
                .first()
            )
            assert profile is not None
            profile.owner = user
            profile.status = status
            profile.save(update_fields=["owner", "status"])
        client = Client()
        client.force_login(user)
        client.get("/account/profile/")  # warm up: templates, term caches, index
        for section in SECTIONS:
            form = ef.FORMS[section.slug](document=profile_document(profile.pk))
            base = post_data(form)
            url = f"/account/profile/{section.slug}/"
            client.post(url, _change(section.slug, base, 0))  # warm-up save, not timed
            times = results.setdefault(f"{status}:{section.slug}", [])
            for i in range(1, args.saves + 1):
                started = time.perf_counter()
                response = client.post(url, _change(section.slug, base, i))
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 303:
                    raise SystemExit(
                        f"{url}: {response.status_code}\n{response.content.decode()[:3000]}"
                    )

    def line(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
        return f"{name:<24} n={len(values):<4} p50={statistics.median(values):6.1f} ms  p95={p95:6.1f} ms  max={ordered[-1]:6.1f} ms"

    print(
        f"editor saves on SQLite, {TherapistProfile.objects.count():,} profiles, {args.saves} saves per section"
    )
    for name, values in results.items():
        print(line(name, values))
    print(line("all saves", [t for values in results.values() for t in values]))


if __name__ == "__main__":
    main()
