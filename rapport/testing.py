"""Named test personas and realistic data builders, shared by every app's tests.

Plain functions, not fixtures: a test says what it needs (`alice()`,
`make_profile(name=...)`), and the same helpers work from a shell or a
browser-journey setup. Each persona is created on first call and returned
as-is afterwards, so calling `alice()` twice in a test is harmless.

- alice: a therapist whose profile is published and owned by her account
- bob: a staff moderator (staff, not superuser, with the directory permissions), with
  two-factor (TOTP) set up as staff must: `totp_code(BOB_TOTP_SECRET)` is his current code
- charlie: a therapist with his own draft profile and no rights on alice's things
- erin: staff who has not set up two-factor yet, so the admin turns her away
- ada: an administrator (audit log, roles), with two-factor

- dana: a therapist who has just signed up: an account, no profile yet (she claims
  `imported_profile()`, the listing an import made for her)
- the anonymous visitor is simply an unauthenticated test client

It sits at the project's top, beside settings.py and urls.py, not in `core/`:
it builds profiles, licences and accounts, so it depends on every app, while
`core/` holds helpers without models that any app may import.
"""

from __future__ import annotations

import datetime
import itertools
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from rapport.core import geo
from rapport.core.ids import profile_slug
from rapport.directory.models import (
    ApproachStatement,
    License,
    LicenseStatus,
    Office,
    Status,
    TherapistProfile,
)
from rapport.taxonomy.models import Kind, Term

PASSWORD = "a-long-test-passphrase-42"
ALICE_EMAIL = "alice@example.org"
BOB_EMAIL = "bob@example.org"
CHARLIE_EMAIL = "charlie@example.org"
ERIN_EMAIL = "erin@example.org"
# Bob's authenticator app secret (base32), so a test can type his current code.
BOB_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

DANA_EMAIL = "dana@example.org"
ADA_EMAIL = "ada@example.org"

_sequence = itertools.count(1)

# Defaults read like a real, complete profile so pages are tested at their fullest.
# Slugs match taxonomy/data/*.toml, so these rows coincide with a synced taxonomy.
_DEFAULT_TERMS: list[tuple[str, str, str]] = [
    (Kind.ISSUE, "anxiety", "Anxiety"),
    (Kind.ISSUE, "depression", "Depression"),
    (Kind.INSURANCE, "aetna", "Aetna"),
    (Kind.LANGUAGE, "en", "English"),
    (Kind.LANGUAGE, "es", "Spanish"),
    (Kind.AGE, "adults", "Adults"),
    (Kind.FORMAT, "individual", "Individual"),
    (Kind.FORMAT, "couples", "Couples"),
]
_DEFAULT_APPROACHES: list[tuple[str, str, str]] = [
    (
        "relational-therapy",
        "Relational Therapy",
        "Change happens through the relationship between us: I notice how we work together "
        "and we use that to understand your other relationships.",
    ),
    ("cognitive-behavioral-therapy", "Cognitive Behavioral Therapy", ""),
]


_LICENSE_TYPES: dict[str, tuple[str, str]] = {
    "lmhc": ("Licensed Mental Health Counselor", "LMHC"),
    "lmft": ("Licensed Marriage and Family Therapist", "LMFT"),
    "lcsw": ("Licensed Clinical Social Worker", "LCSW"),
    "psychologist": ("Licensed Psychologist", "Psychologist"),
    "lmhca": ("Licensed Mental Health Counselor Associate", "LMHCA"),
}


def make_term(kind: str, slug: str, name: str | None = None, **extra: Any) -> Term:
    """The Term of that kind and slug, created if the taxonomy has not been synced."""
    term, _created = Term.objects.get_or_create(
        kind=kind, slug=slug, defaults={"name": name or slug.replace("-", " ").title(), **extra}
    )
    return term


def make_profile(
    *,
    offices: list[dict[str, Any]] | None = None,
    licenses: list[dict[str, Any]] | None = None,
    terms: list[tuple[str, str] | tuple[str, str, str]] | None = None,
    approaches: list[tuple[str, str] | tuple[str, str, str]] | None = None,
    **overrides: Any,
) -> TherapistProfile:
    """A realistic published profile; any field can be overridden.

    `offices`, `licenses` (dicts of Office/License fields; `license_type` may be
    a slug), `terms` ((kind, slug[, name]) tuples) and `approaches`
    ((slug, statement[, name]) tuples) replace the defaults; pass `[]` for none.
    """
    n = next(_sequence)
    fields: dict[str, Any] = {
        "source": "test",
        "external_id": f"t{n:06d}",
        "name": "Jordan Rivera",
        "credentials": "MA, LMHC",
        "title": "Licensed Mental Health Counselor",
        "pronouns": "they/them",
        "statement": (
            "I work with adults who feel stuck in anxious loops or heavy low moods.\n\n"
            "Sessions are collaborative: we set goals together and check in on them."
        ),
        "in_person": True,
        "telehealth": True,
        "telehealth_states": ["WA", "OR"],
        "fee_min": 90,
        "fee_max": 150,
        "sliding_scale": True,
        "free_consultation": True,
        "accepting_new_clients": True,
        "accepting_confirmed_at": timezone.localdate() - datetime.timedelta(days=3),
        "email": f"private-inbox-{n}@example.org",
        "phone": "(253) 555-0142",
        "website": "https://jordan-rivera-counseling.example/",
        "status": Status.PUBLISHED,
    }
    fields.update(overrides)
    fields.setdefault("slug", profile_slug(fields["name"], fields["source"], fields["external_id"]))
    profile = TherapistProfile.objects.create(**fields)

    if offices is None:
        offices = [
            {
                "address": "1201 Pacific Ave, Suite 600",
                "city": "Tacoma",
                "state": "WA",
                "zip": "98402",
                "lat": 47.2529,
                "lon": -122.4443,
            }
        ]
    for position, office in enumerate(offices):
        Office.objects.create(profile=profile, position=position, **office)

    if licenses is None:
        licenses = [{"license_type": "lmhc", "state": "WA", "number": "LH60012345"}]
    for position, license_fields in enumerate(licenses):
        data = dict(license_fields)
        license_type = data.pop("license_type", "lmhc")
        if isinstance(license_type, str):
            name, short = _LICENSE_TYPES.get(license_type, (license_type.upper(), ""))
            license_type = make_term(Kind.LICENSE_TYPE, license_type, name, short_name=short)
        data.setdefault("status", LicenseStatus.LICENSED)
        License.objects.create(
            profile=profile, license_type=license_type, position=position, **data
        )

    term_specs = _DEFAULT_TERMS if terms is None else terms
    profile.terms.set([make_term(*spec) for spec in term_specs])

    approach_specs: list[tuple[str, ...]] = (
        [(slug, statement, name) for slug, name, statement in _DEFAULT_APPROACHES]
        if approaches is None
        else list(approaches)
    )
    for position, spec in enumerate(approach_specs):
        slug, statement = spec[0], spec[1]
        name = spec[2] if len(spec) > 2 else None
        ApproachStatement.objects.create(
            profile=profile,
            approach=make_term(Kind.APPROACH, slug, name),
            statement=statement,
            position=position,
        )
    return profile


def make_user(email: str, **extra: Any):
    """An account that can sign in: password PASSWORD, its email address verified."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=PASSWORD, **extra)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def totp_code(secret: str) -> str:
    """The code an authenticator app with this secret shows now."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_totp(user: Any, secret: str) -> Any:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    return user


def alice():
    """Alice: a therapist with a published profile that she owns."""
    user = make_user(ALICE_EMAIL, first_name="Alice", last_name="Okafor")
    if not user.profiles.exists():
        make_profile(
            owner=user,
            external_id="alice",
            name="Alice Okafor",
            credentials="PhD",
            title="Licensed Psychologist",
            pronouns="she/her",
            email=ALICE_EMAIL,
            licenses=[{"license_type": "psychologist", "state": "WA", "number": "PY60054321"}],
        )
    return user


def alice_profile() -> TherapistProfile:
    return alice().profiles.get()


def role_group(name: str) -> Any:
    """The staff role's group ("moderator" or "administrator"), as moderation's migration 0003
    creates it; created again the same way when a test that commits has flushed it."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=name).first()
    if group is None:
        migration = importlib.import_module("rapport.moderation.migrations.0003_roles_append_only")
        migration.create_roles(apps, None)
        group = Group.objects.get(name=name)
    return group


def bob():
    """Bob: a staff moderator. Staff with directory permissions, deliberately not a superuser."""
    user = make_user(BOB_EMAIL, first_name="Bob", last_name="Lindqvist", is_staff=True)
    if not user.user_permissions.exists():
        # Moderators act on profiles and read the audit log and the taxonomy
        # (the admin's term pickers need view_term); they do not edit the taxonomy.
        # Not the audit log's export: that is an administrator's (see ada()).
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["directory", "moderation"]
            ).exclude(codename="export_auditevent")
            | Permission.objects.filter(content_type__app_label="taxonomy", codename="view_term")
        )
        # The moderator role: the review queue at /staff/review/, moderation emails.
        user.groups.add(role_group("moderator"))
    return with_totp(user, BOB_TOTP_SECRET)


def ada():
    """Ada: an administrator (the "administrator" group), with two-factor: she reads and
    exports the audit log at /staff/audit/ and changes staff roles."""
    user = make_user(ADA_EMAIL, first_name="Ada", last_name="Nwosu", is_staff=True)
    user.groups.add(role_group("administrator"))
    return with_totp(user, BOB_TOTP_SECRET)


def erin():
    """Erin: staff, but without two-factor yet: the admin sends her to set it up."""
    return make_user(ERIN_EMAIL, first_name="Erin", last_name="Castellanos", is_staff=True)


def charlie():
    """Charlie: another therapist, with his own draft profile and no rights on alice's."""
    user = make_user(CHARLIE_EMAIL, first_name="Charlie", last_name="Baptiste")
    if not user.profiles.exists():
        make_profile(
            owner=user,
            external_id="charlie",
            name="Charlie Baptiste",
            credentials="LCSW",
            title="Licensed Clinical Social Worker",
            pronouns="he/him",
            email=CHARLIE_EMAIL,
            status=Status.DRAFT,
            licenses=[{"license_type": "lcsw", "state": "OR", "number": "L9876"}],
        )
    return user


def dana():
    """Dana: a therapist with a new account and no profile (yet): the one who claims."""
    return make_user(DANA_EMAIL, first_name="Dana", last_name="Whitfield")


def imported_profile(**overrides: Any) -> TherapistProfile:
    """Dana's listing as an import made it: published, nobody's, her practice email on file."""
    fields: dict[str, Any] = {
        "source": "import",
        "external_id": "dana-import",
        "name": "Dana Whitfield",
        "credentials": "LMFT",
        "title": "Licensed Marriage and Family Therapist",
        "email": "dana.whitfield@practice.example",
        "owner": None,
    }
    fields.update(overrides)
    existing = TherapistProfile.objects.filter(
        source=fields["source"], external_id=fields["external_id"]
    ).first()
    return existing or make_profile(**fields)


# --- Rate limits ------------------------------------------------------------------


def pin_ratelimit_clock(monkeypatch: Any, at: float) -> None:
    """django-ratelimit reads `time.time()` for its windows: pin it (in-process only)."""
    import types

    import django_ratelimit.core  # type: ignore[import-untyped]

    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: at))


def ratelimit_window_edge(key: str, period: int) -> int:
    """A second (in 2027) at which `key`'s window of `period` seconds ends and the next starts:
    django-ratelimit offsets each key's edge by crc32(key) % period."""
    import zlib

    base = 1_800_000_000 - 1_800_000_000 % period
    return base + zlib.crc32(key.encode()) % period


# --- Page checks ------------------------------------------------------------------

# Elements that make the browser fetch something as the page loads.
_LOADING_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}


def count_city_lookups(monkeypatch: Any) -> list[str]:
    """The cities looked up from now on (`geo.lookup_city`, wrapped: it still answers).

    Where "City, ST" becomes a place, so a test of a whole request sees every
    time its place text is read, in whichever module reads it.
    """
    cities: list[str] = []
    real = geo.lookup_city

    def lookup_city(city: str | None, state: str | None) -> geo.Place | None:
        cities.append(city or "")
        return real(city, state)

    monkeypatch.setattr(geo, "lookup_city", lookup_city)
    return cities


class _PageScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loaded: list[str] = []
        self.inline_scripts: list[str] = []
        self.style_attributes: list[str] = []
        self.event_handlers: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in _LOADING_ATTRIBUTES.get(tag, ()):
            for url in (values.get(name) or "").split(","):
                if url.strip():
                    self.loaded.append(url.strip().split()[0])
        if "style" in values:
            self.style_attributes.append(tag)
        self.event_handlers += [f"{tag}[{name}]" for name, _v in attrs if name.startswith("on")]
        if tag == "script" and not values.get("src"):
            self._in_script = values.get("type") or "text/javascript"
        if tag == "style":
            self.inline_scripts.append("<style>")

    def handle_data(self, data: str) -> None:
        # JSON (JSON-LD, allauth's passkey options) is a data block, never executed; anything
        # else inline would be blocked by the CSP.
        if self._in_script and self._in_script not in _DATA_BLOCKS and data.strip():
            self.inline_scripts.append(data.strip()[:60])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


_DATA_BLOCKS = ("application/ld+json", "application/json")


def scan_page(html: str) -> _PageScanner:
    scanner = _PageScanner()
    scanner.feed(html)
    scanner.close()
    return scanner


def third_party_urls(html: str, *, own_hosts: set[str]) -> list[str]:
    """URLs the page would make a browser load from a host other than ours."""
    foreign = []
    for url in scan_page(html).loaded:
        parts = urlsplit(url)
        if url.startswith("//") or parts.scheme in {"http", "https"}:
            if parts.hostname not in own_hosts:
                foreign.append(url)
        elif parts.scheme not in {"", "data"}:
            foreign.append(url)
    return foreign


# --- Background tasks -----------------------------------------------------------


def run_tasks() -> None:
    """Run every queued task that is due (emails land in `django.core.mail.outbox`), as
    `rapport worker` would, in this process and this test's transaction.

    The worker checks its connection between tasks (`close_old_connections`), which closes
    a connection whose autocommit is off: a test's transaction, on PostgreSQL (SQLite's
    in-memory test database ignores the close). In production the worker is its own process
    with its own connection; here that check is skipped so the test keeps its transaction."""
    from unittest import mock

    from django.core.management import call_command

    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command(
            "db_worker", queue_name="*", batch=True, startup_delay=False, reload=False, verbosity=0
        )


def verify_license(
    license: License,  # noqa: A002 - the model's name
    *,
    checked: datetime.date | None = None,
    expires: datetime.date | None = None,
    by: Any = None,
    method: str = "board",
) -> Any:
    """Record a state board check of `license` through the service (badge, index, audit)."""
    from rapport.moderation.verification import verification_record

    today = timezone.localdate()
    checked = checked or today
    return verification_record(
        license=license,
        by=by,
        method=method,
        verified_on=checked,
        expires_on=expires or checked + datetime.timedelta(days=365),
        lookup_url="https://fortress.wa.gov/doh/providercredentialsearch/"
        if method == "board"
        else "",
        result="Active, no actions on record",
    )


def make_review_queue(
    count: int, *, start: datetime.datetime | None = None
) -> list[tuple[str, int]]:
    """`count` waiting items of every kind in turn (new profile, edit, claim, report, flagged
    statement), one minute apart from `start`: what a moderator's queue looks like. Returns
    (kind, pk) oldest first."""
    from rapport.directory.models import ClaimRequest, ProfileRevision
    from rapport.moderation.models import ProfileReport

    start = start or timezone.now() - datetime.timedelta(days=2)
    made: list[tuple[str, int]] = []
    for i in range(count):
        when = start + datetime.timedelta(minutes=i)
        kind = ("profile", "revision", "claim", "report", "flag")[i % 5]
        if kind == "profile":
            owner = make_user(f"queued-{i}@example.org")
            profile = make_profile(name=f"Pending Person {i}", status=Status.PENDING, owner=owner)
            TherapistProfile.objects.filter(pk=profile.pk).update(updated_at=when)
            made.append((kind, profile.pk))
        elif kind == "revision":
            owner = make_user(f"editing-{i}@example.org")
            profile = make_profile(name=f"Editing Person {i}", owner=owner)
            revision = ProfileRevision.objects.create(
                profile=profile, section="about", data={"statement": f"A new statement {i}."},
                submitted_at=when,
            )  # fmt: skip
            made.append((kind, revision.pk))
        elif kind == "claim":
            profile = make_profile(name=f"Claimed Person {i}", owner=None, source="import")
            claim = ClaimRequest.objects.create(
                profile=profile, user=make_user(f"claimant-{i}@example.org"),
                license_number="LH60012345", evidence="My practice website names me.",
            )  # fmt: skip
            ClaimRequest.objects.filter(pk=claim.pk).update(created_at=when)
            made.append((kind, claim.pk))
        elif kind == "report":
            profile = make_profile(name=f"Reported Person {i}")
            report = ProfileReport.objects.create(
                profile=profile, reason="wrong", details="The phone number is disconnected."
            )
            ProfileReport.objects.filter(pk=report.pk).update(created_at=when)
            made.append((kind, report.pk))
        else:
            profile = make_profile(
                name=f"Flagged Person {i}",
                owner=make_user(f"flagged-{i}@example.org"),
                review_flags=["training-list:approaches.relational-therapy"],
            )
            TherapistProfile.objects.filter(pk=profile.pk).update(updated_at=when)
            made.append((kind, profile.pk))
    return made
