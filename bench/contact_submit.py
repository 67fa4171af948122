"""C1: the contact form's POST, in-process, on a prepared dataset (performance.md: p95 <= 15 ms).

    .venv/bin/python bench/contact_submit.py --size 1000000 --backend sqlite|postgres

On a dataset made by `bench/run.py prepare`. The POST is timed through `django.test.Client`
(every middleware, the rate limits in the cache, CSRF off as the test client has it): form
validation, the crisis-language check, sealing with Fernet, the INSERT with its idempotency
key, the audit event and the two queued notifications, and the commit. The email work itself is
off the request path (no worker runs here; the queued rows are deleted afterwards).

`--owners` published profiles get a bench owner with a verified address for the run; each
form is fetched first (not timed), then, after the form's minimum fill time, posted from an
address of its own. What the run made (owners, requests, queued tasks) is deleted at the end
and the profiles get their owner back (none); the audit events stay (the log is append-only).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/, whose http.py would hide the standard library's.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common  # noqa: E402

TOKEN = re.compile(r'name="token" value="([^"]+)"')
MESSAGE = (
    "Hello, I am looking for someone to talk to about stress at work and trouble sleeping. "
    "Do you have evening appointments, and do you take Aetna? Thank you."
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1000000")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--owners", type=int, default=100)
    args = parser.parse_args()
    size = common.parse_size(args.size)
    os.environ.update(common.dataset_env(size, args.backend))
    os.environ.setdefault("ALLOWED_HOSTS", "*")
    # The web worker's warm-up (django.setup(), index, vocabulary), before any model import.
    importlib.import_module("rapport.wsgi")
    from allauth.account.models import EmailAddress
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from rapport.accounts.models import User
    from rapport.directory.models import TherapistProfile
    from rapport.messaging.forms import MIN_FILL_SECONDS
    from rapport.messaging.models import ContactRequest

    started_at = time.time()
    profiles = list(
        TherapistProfile.objects.published().filter(owner=None).order_by("pk")[: args.owners]
    )
    for i, profile in enumerate(profiles):
        user = User.objects.create_user(f"c1-bench-{i}@example.test", "c1-bench-password-1")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        TherapistProfile.objects.filter(pk=profile.pk).update(owner=user)
    client = Client()
    times: list[float] = []
    try:
        forms = []
        for n in range(args.iterations + 5):
            url = f"/therapists/{profiles[n % len(profiles)].slug}/contact/"
            page = client.get(url).content.decode()
            match = TOKEN.search(page)
            assert match, f"no form on {url}"
            forms.append((url, match.group(1)))
        time.sleep(MIN_FILL_SECONDS + 0.5)
        for n, (url, token) in enumerate(forms):
            data = {
                "name": f"Sender {n}", "email": f"sender-{n}@example.test", "phone": "",
                "preferred": "email", "message": MESSAGE, "token": token, "fax_number": "",
            }  # fmt: skip
            address = f"10.9.{n // 256}.{n % 256}"
            began = time.perf_counter()
            response = client.post(url, data, REMOTE_ADDR=address)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 302 and "/contact/sent/" in response["Location"], (
                response.status_code,
                response.content[:2000],
            )
            if n >= 5:  # the first five warm up
                times.append(elapsed)
        made = ContactRequest.objects.filter(recipient__email__startswith="c1-bench-").count()
    finally:
        owners = User.objects.filter(email__startswith="c1-bench-")
        TherapistProfile.objects.filter(owner__in=owners).update(owner=None)
        ContactRequest.objects.filter(recipient__in=owners).delete()
        DBTaskResult.objects.filter(task_path__startswith="rapport.messaging").filter(
            enqueued_at__gte=_aware(started_at)
        ).delete()
        owners.delete()
    times.sort()
    p50 = times[len(times) // 2]
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{args.backend} {size:,} profiles, git {common.git_sha()}, load {common.load_average()}")
    print(f"contact POST: n={len(times)} requests made={made} p50={p50:.1f} ms p95={p95:.1f} ms")
    print(f"| C1 contact POST | {args.backend} | {size:,} | {len(times)} | {p50:.1f} | {p95:.1f} |")
    return 0


def _aware(epoch: float):  # type: ignore[no-untyped-def]
    import datetime

    return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)


if __name__ == "__main__":
    raise SystemExit(main())
