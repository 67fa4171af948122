"""Therapist profiles: the model behind the profile interchange format.

Field names follow `docs/profile-format.md`; `directory/interchange.py`
converts between this model and that format, and every writer (import, demo
data, the editor, the API) goes through it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cache

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from rapport.core import display
from rapport.taxonomy.models import Kind, Term


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class LicenseStatus(models.TextChoices):
    LICENSED = "licensed", _("Licensed")
    ASSOCIATE = "associate", _("Associate (pre-licensed, supervised)")
    STUDENT = "student", _("Student")


class TherapistProfileQuerySet(models.QuerySet["TherapistProfile"]):
    # Set by with_public_relations(): attach taxonomy terms from the shared cache.
    _attach_terms = False

    def published(self) -> TherapistProfileQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def accepting(self) -> TherapistProfileQuerySet:
        return self.filter(accepting_new_clients=True)

    def with_public_relations(self) -> TherapistProfileQuerySet:
        """Everything a public page or export reads, in a constant number of queries.

        A profile's terms (issues, insurers, languages, ...) come from one query
        for the link rows and a process-wide cache of the vocabulary: building a
        Term object per link was most of the cost of a 20-result page.
        """
        heavy = ("description", "aliases", "source_hashes")
        queryset = self.prefetch_related(
            models.Prefetch(
                "approach_statements",
                queryset=ApproachStatement.objects.select_related("approach")
                .defer(*(f"approach__{name}" for name in heavy))
                .order_by("position"),
            ),
            models.Prefetch(
                "licenses",
                queryset=License.objects.select_related("license_type")
                .defer(*(f"license_type__{name}" for name in heavy))
                .order_by("position"),
            ),
            models.Prefetch("offices", queryset=Office.objects.order_by("position")),
        )
        queryset._attach_terms = True
        return queryset

    def _clone(self) -> TherapistProfileQuerySet:
        clone = super()._clone()
        clone._attach_terms = self._attach_terms
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._attach_terms and self._result_cache:
            profiles = [p for p in self._result_cache if isinstance(p, TherapistProfile)]
            if profiles:
                attach_terms(profiles)


_TERM_CACHE_SECONDS = 30.0
_term_cache: tuple[float, dict[int, Term]] = (0.0, {})


def cached_terms(*, refresh: bool = False) -> dict[int, Term]:
    """Every term by id (light fields), shared by all requests of this process.

    Re-read every 30 s, on a miss, or when taxonomy edits call `forget_terms()`.
    """
    global _term_cache
    loaded_at, terms = _term_cache
    if refresh or not terms or time.monotonic() - loaded_at > _TERM_CACHE_SECONDS:
        terms = {
            t.id: t
            for t in Term.objects.only(
                "id", "kind", "slug", "name", "short_name", "group", "position", "is_active"
            )
        }
        _term_cache = (time.monotonic(), terms)
    return terms


def forget_terms() -> None:
    global _term_cache
    _term_cache = (0.0, {})


def terms_by_profile(profile_ids: list[int]) -> dict[int, list[Term]]:
    """Each profile's terms in display order (kind, position, name): one query for
    the link rows, the terms themselves from the process-wide cache."""
    by_profile: dict[int, list[int]] = {pk: [] for pk in profile_ids}
    if not profile_ids:
        return {}
    # Plain SQL: on a page of results, compiling the ORM query cost more than running it.
    table = TherapistProfile.terms.through._meta.db_table
    marks = ", ".join(["%s"] * len(profile_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT therapistprofile_id, term_id FROM {table}"
            f" WHERE therapistprofile_id IN ({marks})",
            [int(pk) for pk in profile_ids],
        )
        for profile_id, term_id in cursor.fetchall():
            by_profile[profile_id].append(term_id)
    return terms_in_order(by_profile)


def terms_in_order(term_ids: dict[int, list[int]]) -> dict[int, list[Term]]:
    """Term ids per profile -> the terms themselves, in display order (from the cache)."""
    terms = cached_terms()
    if any(t not in terms for ids in term_ids.values() for t in ids):
        terms = cached_terms(refresh=True)  # a term added since the cache was read: once
    rank = _display_rank(terms)
    return {
        pk: [terms[t] for t in sorted((t for t in ids if t in terms), key=rank.__getitem__)]
        for pk, ids in term_ids.items()
    }


_rank_cache: tuple[dict[int, Term], dict[int, int]] = ({}, {})


def _display_rank(terms: dict[int, Term]) -> dict[int, int]:
    """Term id -> place in display order (kind, position, name), once per term cache:
    a page of results sorts ~350 links, and a key function per link cost ~0.1 ms."""
    global _rank_cache
    if _rank_cache[0] is not terms:
        ordered = sorted(terms.values(), key=lambda t: (t.kind, t.position, t.name))
        _rank_cache = (terms, {t.id: i for i, t in enumerate(ordered)})
    return _rank_cache[1]


def attach_terms(profiles: list[TherapistProfile]) -> None:
    """Fill `profile.terms.all()` for these profiles with one query."""
    chosen = terms_by_profile([p.pk for p in profiles])
    for profile in profiles:
        queryset = Term.objects.all()
        queryset._result_cache = chosen[profile.pk]  # what a prefetch leaves behind
        queryset._prefetch_done = True
        profile._prefetched_objects_cache = {
            **getattr(profile, "_prefetched_objects_cache", {}),
            "terms": queryset,
        }


@cache
def _profile_url_around_slug(script_prefix: str) -> tuple[str, str]:
    marker = "slug-goes-here"
    before, after = reverse("directory:profile", kwargs={"slug": marker}).split(marker)
    return before, after


_PHOTO_URLS: dict[str, str] = {}
_PHOTO_URLS_CAP = 50_000


def photo_url(name: str) -> str:
    """The default storage's URL for a photo's storage name, remembered per process.

    `Storage.url` cost ~17 us (quoting, urljoin), a third of a search page's twenty cards
    otherwise. Safe to keep: a name's URL never changes (new uploads get new names; the S3
    settings use plain, unsigned URLs for photos) and the cap bounds the memory.
    """
    url = _PHOTO_URLS.get(name)
    if url is None:
        if len(_PHOTO_URLS) >= _PHOTO_URLS_CAP:
            _PHOTO_URLS.clear()
        url = _PHOTO_URLS[name] = default_storage.url(name)
    return url


class PublicFacts:
    """What a public page says about a profile, for the model and for the light
    `summaries.ProfileSummary` alike: both provide `office_list()`, `term_list()`
    and the public columns."""

    slug: str
    source: str
    name: str
    credentials: str
    title: str
    # Provided by each class: the offices in order, and the terms in display order.
    office_list: Callable[[], Sequence[Office]]
    term_list: Callable[[], list[Term]]

    def get_absolute_url(self) -> str:
        # Reversed once per script prefix: a page of results asks twenty times.
        before, after = _profile_url_around_slug(get_script_prefix())
        return f"{before}{self.slug}{after}"

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    def terms_of(self, kind: str) -> list[Term]:
        return [t for t in self.term_list() if t.kind == kind]

    @property
    def issues(self) -> list[Term]:
        return self.terms_of(Kind.ISSUE)

    @property
    def insurance(self) -> list[Term]:
        return self.terms_of(Kind.INSURANCE)

    @property
    def identities(self) -> list[Term]:
        return self.terms_of(Kind.IDENTITY)

    @property
    def communities(self) -> list[Term]:
        return self.terms_of(Kind.COMMUNITY)

    @property
    def languages(self) -> list[Term]:
        return self.terms_of(Kind.LANGUAGE)

    @property
    def ages(self) -> list[Term]:
        return self.terms_of(Kind.AGE)

    @property
    def formats(self) -> list[Term]:
        return self.terms_of(Kind.FORMAT)

    @property
    def primary_office(self) -> Office | None:
        offices = self.office_list()
        return offices[0] if offices else None

    def display_location(self) -> str:
        office = self.primary_office
        if office is None:
            return ""
        return display.location(office.city, office.state)

    def display_line(self) -> str:
        office = self.primary_office
        return display.profile_line(
            name=self.name,
            credentials=self.credentials,
            title=self.title,
            city=office.city if office else "",
            state=office.state if office else "",
        )

    def title_and_place(self) -> str:
        office = self.primary_office
        return display.title_and_place(
            title=self.title,
            city=office.city if office else "",
            state=office.state if office else "",
        )

    @property
    def initials(self) -> str:
        return display.initials(self.name)

    # The photo's public facts (columns of both the model and the summary).
    photo_small: str
    photo_small_px: int
    photo_alt: str

    @property
    def photo_small_url(self) -> str:
        return photo_url(self.photo_small) if self.photo_small else ""


# The source of profiles created in the editor; any other source came from an import.
EDITOR_SOURCE = "account"


class TherapistProfile(PublicFacts, models.Model):
    # Identity of the record across installations: upsert key of the import.
    source = models.CharField(max_length=32, default="import")
    external_id = models.CharField(max_length=64)
    # Public handle: slug of the name plus a short id derived from (source, id),
    # so an export imported elsewhere keeps every URL.
    slug = models.SlugField(max_length=100, unique=True)

    name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=120, blank=True)
    pronouns = models.CharField(max_length=30, blank=True)
    gender = models.CharField(max_length=40, blank=True)
    statement = models.TextField(blank=True)
    npi = models.CharField(max_length=10, blank=True)

    in_person = models.BooleanField(default=False)
    telehealth = models.BooleanField(default=False)
    telehealth_states = models.JSONField(default=list, blank=True)

    fee_min = models.PositiveIntegerField(null=True, blank=True)
    fee_max = models.PositiveIntegerField(null=True, blank=True)
    sliding_scale = models.BooleanField(default=False)
    free_consultation = models.BooleanField(default=False)

    accepting_new_clients = models.BooleanField(default=True)
    accepting_confirmed_at = models.DateField(null=True, blank=True)
    # Accepting with a waitlist: the expected wait in weeks (empty: no waitlist). Availability
    # (accepting / waitlist / not accepting) is read from these two by `availability.py`,
    # so every writer of accepting_new_clients (import, admin, editor) stays consistent.
    expected_wait_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    # The last day a reconfirm-your-availability reminder was sent (availability.py).
    availability_reminded_at = models.DateField(null=True, blank=True)
    # Bumped each time the profile is claimed: a claim link signed before is spent (claims.py).
    # db_default: the bulk importer inserts rows with plain SQL (interchange.py).
    claim_counter = models.PositiveIntegerField(default=0, db_default=0)

    # Private: never rendered on a public page or in the public API.
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)

    # The photo (directory/photos.py): storage names of the two re-encoded square sizes, their
    # side in pixels (for width/height, so a page never shifts as they load) and the required
    # alt text. On the row itself: result cards read them in the same query as the rest.
    # Database defaults too: the importer INSERTs its own column list (interchange.py).
    photo_small = models.CharField(max_length=200, blank=True, default="", db_default="")
    photo_small_px = models.PositiveSmallIntegerField(default=0, db_default=0)
    photo_large = models.CharField(max_length=200, blank=True, default="", db_default="")
    photo_large_px = models.PositiveSmallIntegerField(default=0, db_default=0)
    photo_alt = models.CharField(max_length=200, blank=True, default="", db_default="")
    photo_updated_at = models.DateTimeField(null=True, blank=True)
    # A photo waiting for the worker: the original's storage name ("" when none), so only the
    # latest upload clears it; and when the worker last failed to process one (the owner's
    # page says so until the next upload or removal).
    photo_pending = models.CharField(max_length=200, blank=True, default="", db_default="")
    photo_failed_at = models.DateTimeField(null=True, blank=True)

    # Every simple multi-valued facet (issues, insurance, identities,
    # communities, languages, ages, formats) in one link table: one prefetch
    # reads them all, one pass builds every search bitmask.
    terms = models.ManyToManyField(Term, related_name="profiles", blank=True)

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profiles",
        help_text=_("The account that claimed this profile; empty means unclaimed."),
    )
    # Things a moderator should look at, e.g. "training-list:approaches.emdr" for a
    # statement that only lists trainings. Set by the importer and the editor.
    review_flags = models.JSONField(default=list, blank=True)
    # Import change detection: a hash of the interchange document last written.
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TherapistProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="directory_profile_source_id"
            ),
        ]
        indexes = [models.Index(fields=["status", "accepting_new_clients"])]

    def __str__(self) -> str:
        return self.name

    @property
    def imported(self) -> bool:
        """Came from a feed (which may list it again), not from the editor."""
        return self.source != EDITOR_SOURCE

    # --- what PublicFacts reads (relations come from with_public_relations) ---

    def office_list(self) -> list[Office]:
        return list(self.offices.all())

    def term_list(self) -> list[Term]:
        return list(self.terms.all())

    @property
    def licence_verified(self) -> bool:
        return any(lic.is_verified for lic in self.licenses.all())

    @property
    def photo_large_url(self) -> str:
        return photo_url(self.photo_large) if self.photo_large else ""


class License(models.Model):
    profile = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="licenses")
    license_type = models.ForeignKey(
        Term,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Kind.LICENSE_TYPE},
    )
    number = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=2)
    status = models.CharField(
        max_length=12, choices=LicenseStatus.choices, default=LicenseStatus.LICENSED
    )
    supervisor = models.CharField(max_length=120, blank=True)
    # Verification is recorded, never assumed: empty means "self-reported".
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_source = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["profile", "position"]

    def __str__(self) -> str:
        return f"{self.license_type.label} {self.state} {self.number}".strip()

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Office(models.Model):
    profile = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="offices")
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip = models.CharField(max_length=10, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    # Whether lat/lon came from the file (kept on export) or from our ZIP/city
    # lookup (recomputed on import, so not exported).
    geocoded = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["profile", "position"]

    def __str__(self) -> str:
        return display.location(self.city, self.state) or self.zip


class ApproachStatement(models.Model):
    """A therapist practises an approach, optionally in their own words.

    One row per approach per therapist; the statement is shown on that
    approach's page ("Meet the specialists").
    """

    profile = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="approach_statements"
    )
    approach = models.ForeignKey(
        Term,
        on_delete=models.PROTECT,
        related_name="approach_statements",
        limit_choices_to={"kind": Kind.APPROACH},
    )
    statement = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["profile", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "approach"], name="directory_approach_statement_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} - {self.approach}"


class OldSlug(models.Model):
    """A slug a profile had before a rename: its old URL redirects (301) to the current one,
    so links and bookmarks to a therapist keep working. Written with `slugs_moved`."""

    slug = models.SlugField(max_length=100, unique=True)
    profile = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="old_slugs"
    )
    retired_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.slug} -> {self.profile_id}"


def slugs_moved(moves: Sequence[tuple[int, str, str]]) -> None:
    """Keep each renamed profile's old slug, given (profile id, old slug, new slug). A slug in
    use again (renamed back) is current, no longer old. The short id in every slug is the
    profile's own, so an old slug never names another profile."""
    moves = [move for move in moves if move[1] != move[2]]
    if not moves:
        return
    OldSlug.objects.filter(slug__in=[new for _pk, _old, new in moves]).delete()
    OldSlug.objects.bulk_create(
        [OldSlug(profile_id=pk, slug=old) for pk, old, _new in moves], ignore_conflicts=True
    )


class DeletedListing(models.Model):
    """A listing whose therapist deleted their account: the importer never creates it again.

    Written by the purge (`accounts_purge`) for each profile it deletes, and read by the
    importer, which skips a line with this (source, id). Only the key is kept, no name, date
    or account: it says nothing about the person, and the feed already holds the id. Staff
    can remove a row in the admin when the therapist asks to be listed from the feed again."""

    source = models.CharField(max_length=32)
    external_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="directory_deleted_listing_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class IndexVersion(models.Model):
    """One row per committed change to what search can see; the newest row is the version.

    Each search process compares the newest row with the one its index was
    built at (see `index.py`). `full` marks bulk changes after which a fresh
    snapshot is cheaper than applying the changed profiles.
    """

    token = models.CharField(max_length=32)
    full = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"index version {self.pk}"


class IndexChange(models.Model):
    """A profile whose searchable data changed at a version (plain ids: no FK to keep writes cheap)."""

    version = models.BigIntegerField(db_index=True)
    profile_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"profile {self.profile_id} at version {self.version}"


# The editor's drafts and revisions live in their own module (editor/models.py); imported
# here so they belong to this app and its migrations.
from .editor.models import ProfileDraft, ProfileRevision, RevisionStatus  # noqa: E402, F401


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ClaimRequest(models.Model):
    """A request to own an imported profile, with license number and evidence, for staff review.

    Approval (claims.py) sets the profile's owner; nothing else about the profile changes.
    """

    profile = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="claim_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_requests"
    )
    license_number = models.CharField(_("license number"), max_length=40)
    evidence = models.TextField(_("evidence"), max_length=2000)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why it was not approved, for the claimant's dashboard (the email says the same).
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "user"],
                condition=models.Q(status="pending"),
                name="directory_claim_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"claim of {self.profile} by {self.user}"


class ProfileViewDay(models.Model):
    """Public profile page views per profile per day: a count, nothing about the visitor."""

    profile = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="view_days"
    )
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "day"], name="directory_view_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.day}: {self.count}"
