"""The moderators' daily digest: what waits in the review queue, by kind, oldest first."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.tasks import send_mail_later

from . import review
from .models import LicenseVerification
from .verification import REMIND_DAYS_BEFORE, moderators

# Items named in the email; the counts cover all of them.
LISTED = 10


def digest_send(*, today: datetime.date | None = None) -> bool:
    """Queue one email to every moderator when anything waits; at most once a day (the cache
    remembers the day, so a second `worker --once` the same day sends nothing). Returns
    whether it was sent."""
    today = today or timezone.localdate()
    counts = review.queue_counts()
    total = sum(counts.values())
    expiring = LicenseVerification.objects.filter(
        is_demo=False,
        verified_on__lte=today,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
    ).count()
    recipients = [user.email for user in moderators() if user.email]
    if (total == 0 and expiring == 0) or not recipients:
        return False
    if not cache.add(f"moderation:digest:{today.isoformat()}", 1, timeout=36 * 3600):
        return False
    items = review.queue_items(limit=LISTED)
    with transaction.atomic():
        send_mail_later(
            recipients,
            _("%(site)s: %(n)d items wait for review") % {"site": settings.SITE_NAME, "n": total},
            "moderation/email/digest",
            {
                "counts": [(review.KIND_LABELS[k], counts[k]) for k in review.KINDS if counts[k]],
                "total": total,
                "items": items,
                "expiring": expiring,
                "site_url": settings.SITE_URL,
                "now": timezone.now(),
            },
        )
    return True
