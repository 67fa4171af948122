"""Claiming an imported profile: by a link sent to its email on file, or by staff review.

An imported profile has no owner. A signed-in person claims it either
- through the email address on file: `claim_link_send` emails a signed link that works for
  24 hours, for that person only, and once (it carries the profile's `claim_counter`, which
  every claim bumps); `claim_with_token` checks it and sets the owner; or
- with a license number and evidence (`claim_request_create`) that staff approve or reject in
  the admin (`claim_request_approve` / `claim_request_reject`).

Claiming changes only `owner`: the public profile shows nothing new until its owner edits and
publishes. The address on file is never shown, not even masked (the domain alone can say who
the practice is); the page says only that a link went to the address on file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.accounts.models import User
from rapport.moderation.services import audit_record

from .emails import send_claim_email
from .models import ClaimRequest, ClaimStatus, TherapistProfile

CLAIM_LINK_SECONDS = 24 * 3600
_SALT = "rapport.directory.claim"
# Claim emails to one profile's address per day: a stranger cannot flood a therapist's inbox.
EMAILS_PER_PROFILE_PER_DAY = 3


class ClaimError(ValueError):
    """A claim that cannot go ahead, with a message for the person."""


def _refuse_if_leaving(user_id: int, message: str) -> None:
    """ClaimError while the account is scheduled for deletion: the purge deletes whatever it
    owns on that day, so a profile claimed now would be deleted with it. The user is locked
    before any profile, in the order `account_deletion_request` locks them."""
    leaving = (
        User.objects.select_for_update()
        .filter(pk=user_id, deletion_requested_at__isnull=False)
        .exists()
    )
    if leaving:
        raise ClaimError(message)


LEAVING = gettext_lazy(
    "This account is scheduled for deletion: keep the account first, then claim the profile."
)


def is_claimable(profile: TherapistProfile) -> bool:
    return profile.owner_id is None


def make_claim_token(*, profile: TherapistProfile, user: User) -> str:
    return signing.dumps(
        {"p": profile.pk, "u": user.pk, "c": profile.claim_counter}, salt=_SALT, compress=True
    )


@dataclass(frozen=True)
class ClaimLink:
    profile_id: int
    user_id: int
    counter: int


def read_claim_token(token: str) -> ClaimLink:
    """The link's contents, or ClaimError with what went wrong (expired, or not a link)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=CLAIM_LINK_SECONDS)
    except signing.SignatureExpired as exc:
        raise ClaimError(
            _("This link has expired: claim links work for 24 hours. Ask for a new one.")
        ) from exc
    except signing.BadSignature as exc:
        raise ClaimError(_("This link is not valid. Check that you copied all of it.")) from exc
    try:
        return ClaimLink(int(data["p"]), int(data["u"]), int(data["c"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ClaimError(_("This link is not valid. Check that you copied all of it.")) from exc


def claim_link_send(
    *, profile: TherapistProfile, user: User, link_for: Callable[[str], str]
) -> None:
    """Email a claim link to the profile's address on file. `link_for(token)` is the link's
    absolute URL (the view knows the site's address)."""
    if not is_claimable(profile):
        raise ClaimError(_("This profile has already been claimed."))
    if not profile.email:
        raise ClaimError(
            _("This profile has no email address on file. Ask for a review by our staff instead.")
        )
    key = f"claim-emails:{profile.pk}:{timezone.localdate().isoformat()}"
    cache.add(key, 0, timeout=24 * 3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one
        sent = 1
    if sent > EMAILS_PER_PROFILE_PER_DAY:
        raise ClaimError(
            _("We have already sent several links for this profile today. Try again tomorrow.")
        )
    with transaction.atomic():
        token = make_claim_token(profile=profile, user=user)
        audit_record(actor=user, action="directory.claim.link_sent", target=profile)
        send_claim_email(
            to=profile.email,
            subject=_("Claim your profile on %(site)s") % {"site": settings.SITE_NAME},
            template="account_area/email/claim_link.txt",
            context={"profile": profile, "link": link_for(token), "hours": 24},
        )


def claim_with_token(*, token: str, user: User) -> TherapistProfile:
    """Set the owner from a claim link, once; ClaimError says why not."""
    link = read_claim_token(token)
    if link.user_id != user.pk:
        raise ClaimError(
            _("This link was asked for by another account. Sign in as that account, or ask for "
              "a new link while signed in as yourself.")
        )  # fmt: skip
    with transaction.atomic():
        _refuse_if_leaving(user.pk, str(LEAVING))
        profile = TherapistProfile.objects.select_for_update().filter(pk=link.profile_id).first()
        if profile is None:
            raise ClaimError(_("This profile no longer exists."))
        if profile.owner_id == user.pk:
            raise ClaimError(_("You have already claimed this profile."))
        if not is_claimable(profile) or profile.claim_counter != link.counter:
            raise ClaimError(_("This link has already been used or is no longer valid."))
        _set_owner(profile, user)
        audit_record(actor=user, action="directory.claim.claimed_by_email", target=profile)
    return profile


def _set_owner(profile: TherapistProfile, user: User) -> None:
    # Only the owner (and the counter that spends earlier links): nothing public changes,
    # so search needs no telling.
    profile.owner = user
    profile.claim_counter += 1
    profile.save(update_fields=["owner", "claim_counter", "updated_at"])


def claim_request_create(
    *, profile: TherapistProfile, user: User, license_number: str, evidence: str
) -> ClaimRequest:
    if not is_claimable(profile):
        raise ClaimError(_("This profile has already been claimed."))
    with transaction.atomic():
        _refuse_if_leaving(user.pk, str(LEAVING))
        if ClaimRequest.objects.filter(
            profile=profile, user=user, status=ClaimStatus.PENDING
        ).exists():
            raise ClaimError(
                _("You have already asked to claim this profile: staff will review it.")
            )
        request = ClaimRequest.objects.create(
            profile=profile, user=user, license_number=license_number, evidence=evidence
        )
        audit_record(actor=user, action="directory.claim.requested", target=request)
    return request


def claim_request_approve(*, claim: ClaimRequest, by: User | None) -> ClaimRequest:
    with transaction.atomic():
        current = ClaimRequest.objects.select_for_update().get(pk=claim.pk)
        _refuse_if_leaving(
            current.user_id,
            _(
                "The claimant's account is scheduled for deletion: decide this claim if they "
                "keep it (approved now, the profile would be deleted with the account)."
            ),
        )
        profile = TherapistProfile.objects.select_for_update().get(pk=current.profile_id)
        if current.status != ClaimStatus.PENDING:
            raise ClaimError(_("This request has already been decided."))
        if not is_claimable(profile):
            raise ClaimError(_("This profile has already been claimed."))
        _set_owner(profile, current.user)
        _decide(current, ClaimStatus.APPROVED, by)
        audit_record(actor=by, action="directory.claim.approved", target=current)
        _tell_claimant(current, profile, approved=True)
        # Other people's pending requests for the same profile cannot succeed now.
        for other in ClaimRequest.objects.filter(profile=profile, status=ClaimStatus.PENDING):
            _decide(other, ClaimStatus.REJECTED, by)
            audit_record(
                actor=by, action="directory.claim.rejected", target=other, reason="claimed"
            )
            _tell_claimant(other, profile, approved=False)
    return current


def claim_request_reject(*, claim: ClaimRequest, by: User | None, reason: str = "") -> ClaimRequest:
    with transaction.atomic():
        current = ClaimRequest.objects.select_for_update().get(pk=claim.pk)
        if current.status != ClaimStatus.PENDING:
            raise ClaimError(_("This request has already been decided."))
        current.decision_note = reason
        _decide(current, ClaimStatus.REJECTED, by)
        audit_record(actor=by, action="directory.claim.rejected", target=current, reason=reason)
        _tell_claimant(current, current.profile, approved=False, reason=reason)
    return current


def _tell_claimant(
    claim: ClaimRequest, profile: TherapistProfile, *, approved: bool, reason: str = ""
) -> None:
    send_claim_email(
        to=claim.user.email,
        subject=_("Your claim on %(site)s was reviewed") % {"site": settings.SITE_NAME},
        template="account_area/email/claim_decided.txt",
        context={"profile": profile, "approved": approved, "reason": reason},
    )


def _decide(claim: ClaimRequest, status: str, by: User | None) -> None:
    claim.status = status
    claim.decided_at = timezone.now()
    claim.decided_by = by if getattr(by, "pk", None) else None
    claim.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
