"""Evaluate "Find your match" on written vignettes, with a checker that does not trust the ranker.

Each vignette is a person's questionnaire answers (`scoring.Answers`) plus what
a reasonable directory should do for them. `evaluate()` runs `scoring.rank()`
for each and measures:

- hard-constraint violations: every returned profile is read back from the
  database with the ORM and checked against the constraints as written in
  the questionnaire's terms (accepting, place and mode, who therapy is for,
  every "must", payment), and each card's issue and approach lines are
  checked against the profile's terms (met, or "Doesn't list ..."). This is
  an oracle: it shares no code with the columnar index that
  `scoring.eligible()` filters on, only the published rules (`scoring.WHO`,
  `PREFERENCE_KINDS`, `FAITH_SLUGS`, the taxonomy's parent links) and place
  parsing (`search.resolve_location`); distances use its own haversine.
  Must be 0;
- fit: the share of results meeting every nice-to-have, and listing the
  person's issues (any, and the first-named one);
- preference recall@10: of the eligible therapists who meet the request (list
  the main concern, or a narrower issue counting toward it, and practise one
  of the chosen approaches), how many the top ten holds, against the ceiling
  min(10, how many there are). The set is read from the database by the
  oracle, so profiles the ranker never looked at count too;
- diversity: distinct licence types and cities in each top ten;
- crisis language: `crisis_language.mentions_crisis()` on the free text, hit
  rate on crisis vignettes (must be 100%) and false alarms on the others;
- offers that cannot help: a relaxation finding no more than are eligible now,
  or any change dropping a Medicaid plan (out of network); must be 0;
- lists where no shown match lists the main concern, and whether the page
  offers a way to find one; scarce concerns looked for further;
- per-vignette counts, and each vignette's own expectations (informational:
  they depend on the data set, the two gates above do not).

With `recount=True` the checker also derives the whole eligible set from the
database (every published profile, through the same checks) and compares its
size with `rank()`'s count, which catches profiles wrongly left out as well as
wrongly let in; it also gives the eligible-set baselines the top ten can be
compared with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import statistics
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.core.crisis_language import mentions_crisis
from rapport.directory import index as ix
from rapport.directory.availability import EXPIRED_AFTER_DAYS
from rapport.directory.models import (
    ApproachStatement,
    License,
    Office,
    Status,
    TherapistProfile,
)
from rapport.directory.search import MODES, RADII, Location, resolve_location
from rapport.matching import scoring
from rapport.taxonomy import hierarchy
from rapport.taxonomy.models import Kind, Term

VIGNETTES = Path(__file__).with_name("vignettes.toml")
EARTH_RADIUS_MILES = 3958.8
# The index and this checker sum the haversine terms in a different order; a
# profile exactly on the radius may differ in the last bits, never by more.
RADIUS_SLACK_MILES = 1e-6
GENDERS = ("woman", "man", "nonbinary")
PAYMENTS = ("", "insurance", "self_pay", "sliding_scale")
CONSULTATION = ("", "nice", "must")
# Preference kind -> taxonomy kind of the profile term it is met by.
_TERM_KIND = {
    "identity": Kind.IDENTITY,
    "community": Kind.COMMUNITY,
    "language": Kind.LANGUAGE,
    "faith": Kind.COMMUNITY,  # faith-integrated / secular are community terms
}
_ANSWER_KEYS = frozenset(f.name for f in dataclasses.fields(scoring.Answers))
_EXPECT_KEYS = frozenset(
    ("crisis", "min_results", "max_eligible", "relaxations", "location_problem",
     "must_language", "must_gender", "all_have")
)  # fmt: skip
_ALL_HAVE_KINDS = {
    "issue": Kind.ISSUE,
    "identity": Kind.IDENTITY,
    "community": Kind.COMMUNITY,
    "language": Kind.LANGUAGE,
    "insurance": Kind.INSURANCE,
    "age": Kind.AGE,
    "format": Kind.FORMAT,
}


class VignetteError(ValueError):
    """A vignettes file that cannot be read as written (unknown key, wrong type)."""


# --- Vignettes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    crisis: bool
    min_results: int = 0
    max_eligible: int | None = None
    relaxations: bool = False  # fewer than three eligible, so "try widening" must be offered
    location_problem: bool = False  # the place is ambiguous or unknown on purpose
    all_have: tuple[tuple[str, str], ...] = ()  # (taxonomy kind, slug) every result lists
    must_gender: str = ""


@dataclass(frozen=True)
class Vignette:
    id: str
    story: str
    answers: scoring.Answers
    expect: Expect


def load_vignettes(path: Path | str | None = None) -> list[Vignette]:
    """The `[[vignette]]` entries of a TOML file (default: the bundled `vignettes.toml`)."""
    path = Path(path) if path else VIGNETTES
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise VignetteError(f"{path}: {exc}") from exc
    entries = document.get("vignette")
    if not isinstance(entries, list) or not entries:
        raise VignetteError(f"{path}: no [[vignette]] entries")
    vignettes = [
        _vignette(entry, f"{path.name}, vignette {n}") for n, entry in enumerate(entries, 1)
    ]
    seen: set[str] = set()
    for v in vignettes:
        if v.id in seen:
            raise VignetteError(f"{path.name}: the id {v.id!r} is used twice")
        seen.add(v.id)
    return vignettes


def _vignette(entry: Any, where: str) -> Vignette:
    if not isinstance(entry, dict):
        raise VignetteError(f"{where}: not a table")
    unknown = set(entry) - {"id", "story", "answers", "expect"}
    if unknown:
        raise VignetteError(f"{where}: unknown keys {sorted(unknown)}")
    vid = entry.get("id")
    if not isinstance(vid, str) or not vid:
        raise VignetteError(f"{where}: needs an id")
    where = f"{where} ({vid})"
    story = entry.get("story")
    if not isinstance(story, str) or not story.strip():
        raise VignetteError(f"{where}: needs a one-line story")
    answers = entry.get("answers")
    expect = entry.get("expect")
    if not isinstance(answers, dict) or not isinstance(expect, dict):
        raise VignetteError(f"{where}: needs [vignette.answers] and [vignette.expect]")
    return Vignette(vid, story.strip(), _answers(answers, where), _expect(expect, where))


def _answers(raw: dict[str, Any], where: str) -> scoring.Answers:
    unknown = set(raw) - _ANSWER_KEYS
    if unknown:
        raise VignetteError(f"{where}: unknown answers {sorted(unknown)}")
    if not isinstance(raw.get("location"), str):
        raise VignetteError(f"{where}: answers.location must be text")
    values = dict(raw)
    for name in ("issues", "approaches"):
        items = values.get(name, [])
        if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
            raise VignetteError(f"{where}: answers.{name} must be a list of slugs")
        values[name] = tuple(items)
    prefs = values.get("preferences", [])
    if not isinstance(prefs, list):
        raise VignetteError(f"{where}: answers.preferences must be a list")
    values["preferences"] = tuple(_preference(p, where) for p in prefs)
    for name, kind in (("radius", int), ("budget", int)):
        if name in values and (
            not isinstance(values[name], kind) or isinstance(values[name], bool)
        ):
            raise VignetteError(f"{where}: answers.{name} must be a whole number")
    for name in ("mode", "who", "free_text", "payment", "insurance", "free_consultation"):
        if name in values and not isinstance(values[name], str):
            raise VignetteError(f"{where}: answers.{name} must be text")
    return scoring.Answers(**values)


def _preference(raw: Any, where: str) -> scoring.Preference:
    if not isinstance(raw, dict) or set(raw) - {"kind", "value", "must"}:
        raise VignetteError(f"{where}: a preference is {{kind, value, must}}")
    kind, value, must = raw.get("kind"), raw.get("value"), raw.get("must", False)
    if not isinstance(kind, str) or not isinstance(value, str) or not isinstance(must, bool):
        raise VignetteError(
            f"{where}: a preference needs text kind and value, and must = true/false"
        )
    return scoring.Preference(kind=kind, value=value, must=must)


def _expect(raw: dict[str, Any], where: str) -> Expect:
    unknown = set(raw) - _EXPECT_KEYS
    if unknown:
        raise VignetteError(f"{where}: unknown expectations {sorted(unknown)}")
    if not isinstance(raw.get("crisis"), bool):
        raise VignetteError(f"{where}: expect.crisis (true or false) is required")
    all_have: list[tuple[str, str]] = []
    for item in raw.get("all_have", []):
        kind, _, slug = str(item).partition(":")
        if kind not in _ALL_HAVE_KINDS or not slug:
            raise VignetteError(f"{where}: expect.all_have items are 'kind:slug', got {item!r}")
        all_have.append((_ALL_HAVE_KINDS[kind], slug))
    if raw.get("must_language"):
        all_have.append((Kind.LANGUAGE, str(raw["must_language"])))
    return Expect(
        crisis=raw["crisis"],
        min_results=int(raw.get("min_results", 0)),
        max_eligible=int(raw["max_eligible"]) if "max_eligible" in raw else None,
        relaxations=bool(raw.get("relaxations", False)),
        location_problem=bool(raw.get("location_problem", False)),
        all_have=tuple(all_have),
        must_gender=str(raw.get("must_gender", "")),
    )


def vignette_problems(vignettes: Sequence[Vignette]) -> list[str]:
    """Answers a questionnaire could not produce: unknown slugs or options.

    A vignette with a misspelt slug would silently test nothing, so these
    fail the evaluation like a violation does.
    """
    known = set(Term.objects.active().values_list("kind", "slug"))
    problems: list[str] = []
    for v in vignettes:
        a = v.answers

        def bad(message: str, v: Vignette = v) -> None:
            problems.append(f"{v.id}: {message}")

        if a.mode not in MODES:
            bad(f"mode {a.mode!r} is not one of {MODES}")
        if a.who not in scoring.WHO:
            bad(f"who {a.who!r} is not one of {tuple(scoring.WHO)}")
        if a.radius not in RADII:
            bad(f"radius {a.radius} is not one of {RADII}")
        if a.payment not in PAYMENTS:
            bad(f"payment {a.payment!r} is not one of {PAYMENTS}")
        if a.payment == "insurance" and not a.insurance:
            bad("payment by insurance needs an insurer")
        if a.insurance and (Kind.INSURANCE, a.insurance) not in known:
            bad(f"unknown insurer {a.insurance!r}")
        if a.free_consultation not in CONSULTATION:
            bad(f"free_consultation {a.free_consultation!r} is not one of {CONSULTATION}")
        for slug in a.issues:
            if (Kind.ISSUE, slug) not in known:
                bad(f"unknown issue {slug!r}")
        for slug in a.approaches:
            if (Kind.APPROACH, slug) not in known:
                bad(f"unknown approach {slug!r}")
        for pref in a.preferences:
            if pref.kind == "gender":
                if pref.value not in GENDERS:
                    bad(f"gender {pref.value!r} is not one of {GENDERS}")
            elif pref.kind == "faith":
                if pref.value not in scoring.FAITH_SLUGS:
                    bad(f"faith {pref.value!r} is not one of {tuple(scoring.FAITH_SLUGS)}")
            elif pref.kind in _TERM_KIND:
                if (_TERM_KIND[pref.kind], pref.value) not in known:
                    bad(f"unknown {pref.kind} {pref.value!r}")
            else:
                bad(f"unknown preference kind {pref.kind!r}")
        for kind, slug in v.expect.all_have:
            if (kind, slug) not in known:
                bad(f"expect.all_have: unknown {kind} {slug!r}")
        if v.expect.must_gender and v.expect.must_gender not in GENDERS:
            bad(f"expect.must_gender {v.expect.must_gender!r} is not one of {GENDERS}")
        location = resolve_location(a.location).location
        if (location is None) != v.expect.location_problem:
            bad(
                f"location {a.location!r} "
                + (
                    "does not resolve"
                    if location is None
                    else "resolves, but a problem is expected"
                )
            )
    return problems


# --- The oracle: facts read with the ORM, constraints from their definitions ------------------


@dataclass(frozen=True)
class Facts:
    """One profile as the database holds it: what the hard constraints and metrics need."""

    id: int
    published: bool
    accepting: bool
    in_person: bool
    telehealth: bool
    telehealth_states: frozenset[str]
    gender: str
    fee_min: int | None
    sliding_scale: bool
    free_consultation: bool
    terms: frozenset[tuple[str, str]]  # (kind, slug)
    approaches: frozenset[str]  # approach slugs practised
    offices: tuple[tuple[float | None, float | None, str, str], ...]  # lat, lon, state, city
    licences: tuple[tuple[str, str], ...]  # (licence type slug, state), by position
    confirmed: dt.date | None = None  # the day "accepting" was last confirmed

    def has(self, kind: str, slug: str) -> bool:
        return (kind, slug) in self.terms

    def has_within(self, kind: str, slug: str) -> bool:
        """Lists `slug` or a narrower term counting toward it (taxonomy.hierarchy)."""
        return any((kind, s) in self.terms for s in hierarchy.narrower(kind, slug))

    @property
    def licence_type(self) -> str:
        return self.licences[0][0] if self.licences else ""

    @property
    def city(self) -> str:
        for _lat, _lon, state, city in self.offices:
            if city or state:
                return f"{city}, {state}" if city else state
        return "(online only)" if not self.offices else "(no city)"


def read_facts(profile_ids: Iterable[int] | None = None) -> dict[int, Facts]:
    """Facts for these profiles (any status), or for every published one when None.

    Plain `values_list` reads: a full recount at 100k profiles reads about two
    million term links, which model instances would make slow and large.
    """
    profiles = TherapistProfile.objects.all()
    if profile_ids is None:
        profiles = profiles.filter(status=Status.PUBLISHED)
        within: dict[str, Any] = {"profile__status": Status.PUBLISHED}
        links_within: dict[str, Any] = {"therapistprofile__status": Status.PUBLISHED}
    else:
        ids = list(profile_ids)
        profiles = profiles.filter(pk__in=ids)
        within = {"profile_id__in": ids}
        links_within = {"therapistprofile_id__in": ids}
    term_of = {
        pk: (kind, slug) for pk, kind, slug in Term.objects.values_list("id", "kind", "slug")
    }
    terms: dict[int, set[tuple[str, str]]] = {}
    through = TherapistProfile.terms.through.objects.filter(**links_within)
    for pid, term_id in through.values_list("therapistprofile_id", "term_id").iterator(10_000):
        terms.setdefault(pid, set()).add(term_of[term_id])
    offices: dict[int, list[tuple[float | None, float | None, str, str]]] = {}
    for pid, lat, lon, state, city in (
        Office.objects.filter(**within)
        .order_by("profile_id", "position", "id")
        .values_list("profile_id", "lat", "lon", "state", "city")
        .iterator(10_000)
    ):
        offices.setdefault(pid, []).append((lat, lon, state, city))
    licences: dict[int, list[tuple[str, str]]] = {}
    for pid, type_id, state in (
        License.objects.filter(**within)
        .order_by("profile_id", "position", "id")
        .values_list("profile_id", "license_type_id", "state")
        .iterator(10_000)
    ):
        licences.setdefault(pid, []).append((term_of[type_id][1], state))
    approaches: dict[int, set[str]] = {}
    for pid, term_id in (
        ApproachStatement.objects.filter(**within)
        .values_list("profile_id", "approach_id")
        .iterator(10_000)
    ):
        approaches.setdefault(pid, set()).add(term_of[term_id][1])
    out: dict[int, Facts] = {}
    for row in profiles.values_list(
        "id", "status", "accepting_new_clients", "in_person", "telehealth", "telehealth_states",
        "gender", "fee_min", "sliding_scale", "free_consultation", "accepting_confirmed_at",
    ).iterator(10_000):  # fmt: skip
        pid, status, accepting, in_person, telehealth, states, gender, fee, sliding, consult = row[
            :10
        ]
        out[pid] = Facts(
            id=pid,
            published=status == Status.PUBLISHED,
            accepting=accepting,
            in_person=in_person,
            telehealth=telehealth,
            telehealth_states=frozenset(states or ()),
            gender=gender or "",
            fee_min=fee,
            sliding_scale=sliding,
            free_consultation=consult,
            terms=frozenset(terms.get(pid, ())),
            approaches=frozenset(approaches.get(pid, ())),
            offices=tuple(offices.get(pid, ())),
            licences=tuple(licences.get(pid, ())),
            confirmed=row[10],
        )
    return out


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians((lon2 - lon1 + 180.0) % 360.0 - 180.0)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))


@dataclass(frozen=True)
class Rules:
    """One person's hard constraints, spelled out from their answers."""

    answers: scoring.Answers
    location: Location | None
    formats: frozenset[str]
    ages: frozenset[str]
    must_terms: tuple[tuple[str, str], ...]
    must_gender: tuple[str, ...]
    nice: tuple[scoring.Preference, ...]
    # The day "accepting" is judged on: confirmed more than EXPIRED_AFTER_DAYS before it is
    # not accepting (directory/availability.py states the number; the check is done here).
    today: dt.date | None = None

    @classmethod
    def of(cls, answers: scoring.Answers, today: dt.date | None = None) -> Rules:
        formats, ages = scoring.WHO.get(answers.who, scoring.WHO["me"])
        must_terms: list[tuple[str, str]] = []
        must_gender: list[str] = []
        for pref in answers.preferences:
            if not pref.must:
                continue
            if pref.kind == "gender":
                must_gender.append(pref.value)
            else:
                must_terms.append(_preference_term(pref))
        return cls(
            answers=answers,
            location=resolve_location(answers.location).location,
            formats=frozenset(formats),
            ages=frozenset(ages),
            must_terms=tuple(must_terms),
            must_gender=tuple(must_gender),
            nice=tuple(p for p in answers.preferences if not p.must),
            today=today,
        )

    def near(self, facts: Facts) -> bool:
        """Can be seen in person: an office within the radius (or in the state, for a state)."""
        loc = self.location
        if loc is None or not facts.in_person:
            return False
        if loc.lat is None or loc.lon is None:
            return any(state == loc.state for _lat, _lon, state, _city in facts.offices)
        limit = self.answers.radius + RADIUS_SLACK_MILES
        return any(
            lat is not None
            and lon is not None
            and haversine_miles(loc.lat, loc.lon, lat, lon) <= limit
            for lat, lon, _state, _city in facts.offices
        )

    def online(self, facts: Facts) -> bool:
        """Can be seen online: offers telehealth in the state where the person will be."""
        return (
            self.location is not None
            and facts.telehealth
            and self.location.state in facts.telehealth_states
        )

    def violations(
        self,
        facts: Facts | None,
        *,
        shown_in_person: bool = False,
        shown_online: bool = False,
        first_only: bool = False,
    ) -> list[str]:
        """Every hard constraint this profile breaks (empty: it may be shown)."""
        found: list[str] = []

        def fail(reason: str) -> bool:
            found.append(reason)
            return first_only

        if facts is None:
            return ["not in the database"]
        a = self.answers
        if not facts.published and fail("not published"):
            return found
        if not facts.accepting and fail("not accepting new clients"):
            return found
        expired = (
            self.today is not None
            and facts.confirmed is not None
            and (self.today - facts.confirmed).days > EXPIRED_AFTER_DAYS
        )
        if expired and fail("availability not confirmed for more than 90 days"):
            return found
        if self.location is None:
            fail("shown although the place did not resolve")
            return found
        near, online = self.near(facts), self.online(facts)
        if a.mode == "in_person" and not near and fail(_place_failure(self, "in person")):
            return found
        if a.mode == "online" and not online and fail(_place_failure(self, "online")):
            return found
        if (
            a.mode == "both"
            and not (near or online)
            and fail(_place_failure(self, "in person or online"))
        ):
            return found
        if shown_in_person and not near and fail("shown as in person, but no office qualifies"):
            return found
        if shown_online and not online and fail("shown as online, but no telehealth here"):
            return found
        if not any(facts.has(Kind.FORMAT, f) for f in self.formats) and fail(
            f"offers none of the formats {sorted(self.formats)} (who={a.who})"
        ):
            return found
        if (
            self.ages
            and not any(facts.has(Kind.AGE, g) for g in self.ages)
            and fail(f"sees none of the ages {sorted(self.ages)} (who={a.who})")
        ):
            return found
        for gender in self.must_gender:
            if facts.gender != gender and fail(f"must be {gender}, is {facts.gender or 'unsaid'}"):
                return found
        for kind, slug in self.must_terms:
            if not facts.has(kind, slug) and fail(f"must have {kind} {slug}"):
                return found
        if (
            a.free_consultation == "must"
            and not facts.free_consultation
            and fail("must offer a free consultation")
        ):
            return found
        payment = _payment_failure(a, facts)
        if payment:
            fail(payment)
        return found

    @property
    def names_nice(self) -> bool:
        """Whether the person named any nice-to-have (a preference or a free consultation)."""
        return bool(self.nice) or self.answers.free_consultation == "nice"

    def meets_nice(self, facts: Facts) -> bool | None:
        """Whether every nice-to-have is met; None when the person named none."""
        checks = [_preference_met(facts, p) for p in self.nice]
        if self.answers.free_consultation == "nice":
            checks.append(facts.free_consultation)
        return all(checks) if checks else None


def _preference_term(pref: scoring.Preference) -> tuple[str, str]:
    if pref.kind == "faith":
        return Kind.COMMUNITY, scoring.FAITH_SLUGS.get(pref.value, pref.value)
    return _TERM_KIND.get(pref.kind, Kind.COMMUNITY), pref.value


def _preference_met(facts: Facts, pref: scoring.Preference) -> bool:
    if pref.kind == "gender":
        return facts.gender == pref.value
    return facts.has(*_preference_term(pref))


def _place_failure(rules: Rules, how: str) -> str:
    loc = rules.location
    if loc is None:
        return f"cannot be seen {how} (no place)"
    if loc.has_point:
        return f"cannot be seen {how} (within {rules.answers.radius} mi of {loc.label})"
    return f"cannot be seen {how} (in {loc.label})"


def _payment_failure(a: scoring.Answers, facts: Facts) -> str:
    if a.payment == "insurance" and a.insurance:
        if not facts.has_within(Kind.INSURANCE, a.insurance):
            return f"not in network with {a.insurance}"
    elif a.payment == "self_pay" and a.budget is not None:
        affordable = facts.fee_min is not None and facts.fee_min <= a.budget
        if not (affordable or facts.sliding_scale):
            return f"fee from {facts.fee_min} over the budget of {a.budget}, no sliding scale"
    elif a.payment == "sliding_scale" and not facts.sliding_scale:
        return "no sliding scale"
    return ""


# --- Running the vignettes --------------------------------------------------------------------


@dataclass
class Outcome:
    vignette: Vignette
    location_label: str
    eligible: int
    ids: list[int]
    violations: list[str]
    crisis_detected: bool
    nice_asked: bool
    nice_met: int  # shown matches meeting every nice-to-have
    issue_any: int
    issue_primary: int
    licence_types: int
    cities: int
    online_only: int  # shown only for online sessions...
    online_only_licensed: int  # ...and holding a licence in the person's state
    relaxations: list[str]
    unmet_expectations: list[str]
    # Honesty (issue 15): relaxations offered that add nobody; "superbill" offered
    # to someone paying with Medicaid; no shown match lists the main concern,
    # and whether the page then has a way to find one (looking further or a change).
    empty_relaxations: int = 0
    medicaid_superbill: bool = False
    none_list_main: bool = False
    way_to_main: bool = False
    looked_further: int = 0  # therapists listing a scarce main concern found beyond the limits
    requested: int = 0  # eligible therapists meeting the main concern and chosen approach
    requested_shown: int = 0  # ...of them in the top ten
    recount: int | None = None
    baseline: dict[str, float] = field(default_factory=dict)

    @property
    def shown(self) -> int:
        return len(self.ids)

    @property
    def crisis_expected(self) -> bool:
        return self.vignette.expect.crisis

    @property
    def asks(self) -> bool:
        """Whether the person asked for a concern or an approach (recall applies)."""
        return bool(self.vignette.answers.issues or self.vignette.answers.approaches)

    @property
    def ceiling(self) -> int:
        return min(scoring.TOP, self.requested)


def run_vignette(
    vignette: Vignette,
    *,
    today: dt.date,
    state: ix.IndexState,
    everyone: dict[int, Facts] | None = None,
) -> Outcome:
    answers = vignette.answers
    result = scoring.rank(answers, state=state, today=today)
    rules = Rules.of(answers, today)
    ids = [m.profile.pk for m in result.matches]
    facts = read_facts(ids)
    violations = []
    for match in result.matches:
        for reason in rules.violations(
            facts.get(match.profile.pk),
            shown_in_person=match.in_person,
            shown_online=match.online,
        ):
            violations.append(f"profile {match.profile.pk}: {reason}")
    for match in result.matches:
        f = facts.get(match.profile.pk)
        if f is not None:
            violations += [
                f"profile {match.profile.pk}: untrue line: {line}"
                for line in _untrue_lines(match, f, answers)
            ]
    shown = [facts[i] for i in ids if i in facts]
    nice = [rules.meets_nice(f) for f in shown]
    issues = set(answers.issues)
    primary = answers.issues[0] if answers.issues else ""
    online_only = [
        facts[m.profile.pk]
        for m in result.matches
        if m.online and not m.in_person and m.profile.pk in facts
    ]
    location = rules.location
    outcome = Outcome(
        vignette=vignette,
        location_label=location.label if location else result.location_problem or "?",
        eligible=result.eligible,
        ids=ids,
        violations=violations,
        crisis_detected=mentions_crisis(answers.free_text),
        nice_asked=rules.names_nice,
        nice_met=sum(1 for n in nice if n),
        issue_any=sum(1 for f in shown if any(f.has(Kind.ISSUE, s) for s in issues)),
        issue_primary=sum(1 for f in shown if primary and f.has(Kind.ISSUE, primary)),
        licence_types=len({f.licence_type for f in shown}),
        cities=len({f.city for f in shown}),
        online_only=len(online_only),
        online_only_licensed=sum(
            1 for f in online_only if location and any(s == location.state for _t, s in f.licences)
        ),
        relaxations=[r.label for r in result.relaxations],
        unmet_expectations=[],
    )
    outcome.unmet_expectations = _unmet(vignette.expect, outcome, shown, result)
    outcome.empty_relaxations = sum(1 for r in result.relaxations if r.count <= result.eligible)
    medicaid = answers.payment == "insurance" and hierarchy.is_medicaid(answers.insurance)
    # Any change that drops the Medicaid plan sends the person out of network.
    outcome.medicaid_superbill = medicaid and any(
        r.answers.payment != "insurance" or r.answers.insurance != answers.insurance
        for r in result.relaxations
    )
    if answers.issues and shown:
        outcome.none_list_main = not any(f.has_within(Kind.ISSUE, primary) for f in shown)
        outcome.way_to_main = bool(result.further or result.finds_main)
    outcome.looked_further = len(result.further)
    if outcome.asks and location is not None:
        requested = requested_eligible(rules)
        outcome.requested = len(requested)
        outcome.requested_shown = len(requested & set(ids))
    if everyone is not None:
        _recount(outcome, rules, everyone)
    return outcome


def _untrue_lines(match: scoring.Match, facts: Facts, answers: scoring.Answers) -> list[str]:
    """A card's issue and approach lines against the database: each chosen issue or
    approach is either named as met (the profile lists it, or a narrower issue) or
    said not to be listed ("Doesn't list anxiety"), and must be the right one."""
    untrue = []
    lines = set(match.unmet)
    for slug in answers.issues:
        said_missing = f"Doesn't list {_lower(scoring._term_label(Kind.ISSUE, slug))}" in lines
        if said_missing == facts.has_within(Kind.ISSUE, slug):
            untrue.append(f"issue {slug}: said {'missing' if said_missing else 'met'}")
    for slug in answers.approaches:
        said_missing = f"Doesn't list {scoring._term_label(Kind.APPROACH, slug)}" in lines
        if said_missing == (slug in facts.approaches):
            untrue.append(f"approach {slug}: said {'missing' if said_missing else 'met'}")
    return untrue


def _lower(name: str) -> str:
    return name.lower() if name[1:].islower() or name[1:] == name[1:].lower() else name


def meets_request(facts: Facts, answers: scoring.Answers) -> bool:
    """Lists the main concern (or a narrower issue counting toward it) and, when
    approaches were chosen, practises at least one of them."""
    if answers.issues and not facts.has_within(Kind.ISSUE, answers.issues[0]):
        return False
    return not answers.approaches or any(s in facts.approaches for s in answers.approaches)


def requested_eligible(rules: Rules) -> set[int]:
    """Every eligible profile meeting the request, read from the database: profiles
    listing the main concern (or its narrower issues) or a chosen approach, then
    the oracle's own checks. Only those few are read, so this runs on every vignette."""
    a = rules.answers
    if a.issues:
        slugs, kind = hierarchy.narrower(Kind.ISSUE, a.issues[0]), Kind.ISSUE
    else:
        slugs, kind = frozenset(a.approaches), Kind.APPROACH
    if kind == Kind.ISSUE:
        candidates = set(
            TherapistProfile.terms.through.objects.filter(
                term__kind=kind, term__slug__in=slugs, therapistprofile__status=Status.PUBLISHED
            ).values_list("therapistprofile_id", flat=True)
        )
    else:
        candidates = set(
            ApproachStatement.objects.filter(
                approach__slug__in=slugs, profile__status=Status.PUBLISHED
            ).values_list("profile_id", flat=True)
        )
    facts = read_facts(candidates)
    return {
        pid
        for pid, f in facts.items()
        if meets_request(f, a) and not rules.violations(f, first_only=True)
    }


def _unmet(
    expect: Expect, outcome: Outcome, shown: list[Facts], result: scoring.MatchResult
) -> list[str]:
    unmet = []
    if outcome.shown < expect.min_results:
        unmet.append(f"{outcome.shown} shown, at least {expect.min_results} expected")
    if expect.max_eligible is not None and outcome.eligible > expect.max_eligible:
        unmet.append(f"{outcome.eligible} eligible, at most {expect.max_eligible} expected")
    if expect.relaxations and not result.relaxations:
        unmet.append("no way to widen the search was offered")
    for kind, slug in expect.all_have:
        lacking = sum(1 for f in shown if not f.has(kind, slug))
        if lacking:
            unmet.append(f"{lacking} shown without {kind} {slug}")
    if expect.must_gender:
        lacking = sum(1 for f in shown if f.gender != expect.must_gender)
        if lacking:
            unmet.append(f"{lacking} shown who are not {expect.must_gender}")
    return unmet


def _recount(outcome: Outcome, rules: Rules, everyone: dict[int, Facts]) -> None:
    eligible = [f for f in everyone.values() if not rules.violations(f, first_only=True)]
    outcome.recount = len(eligible)
    if not eligible:
        return
    issues = set(rules.answers.issues)
    primary = rules.answers.issues[0] if rules.answers.issues else ""
    n = len(eligible)
    if outcome.nice_asked:
        outcome.baseline["nice"] = sum(1 for f in eligible if rules.meets_nice(f)) / n
    if issues:
        outcome.baseline["issue_any"] = (
            sum(1 for f in eligible if any(f.has(Kind.ISSUE, s) for s in issues)) / n
        )
        outcome.baseline["issue_primary"] = (
            sum(1 for f in eligible if f.has(Kind.ISSUE, primary)) / n
        )


# --- The report ---------------------------------------------------------------------------------


@dataclass
class Report:
    today: dt.date
    profiles: int
    outcomes: list[Outcome]
    problems: list[str]
    recounted: bool = False

    # Gates --------------------------------------------------------------------
    @property
    def violations(self) -> list[str]:
        return [f"{o.vignette.id}: {v}" for o in self.outcomes for v in o.violations]

    @property
    def crisis(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.crisis_expected]

    @property
    def crisis_missed(self) -> list[Outcome]:
        return [o for o in self.crisis if not o.crisis_detected]

    @property
    def crisis_recall(self) -> float:
        return 1.0 - len(self.crisis_missed) / len(self.crisis) if self.crisis else 1.0

    @property
    def calm_texts(self) -> list[Outcome]:
        """Non-crisis vignettes with free text: the ones that could raise a false alarm."""
        return [
            o
            for o in self.outcomes
            if not o.crisis_expected and o.vignette.answers.free_text.strip()
        ]

    @property
    def false_alarms(self) -> list[Outcome]:
        return [o for o in self.calm_texts if o.crisis_detected]

    @property
    def count_mismatches(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.recount is not None and o.recount != o.eligible]

    @property
    def dishonest(self) -> list[str]:
        """Offers that cannot help: a relaxation adding nobody, a superbill for Medicaid."""
        found = [
            f"{o.vignette.id}: {o.empty_relaxations} relaxation(s) adding nobody"
            for o in self.outcomes
            if o.empty_relaxations
        ]
        found += [
            f"{o.vignette.id}: out of network (superbill, any fee) offered with Medicaid"
            for o in self.outcomes
            if o.medicaid_superbill
        ]
        return found

    @property
    def ok(self) -> bool:
        return not (
            self.violations
            or self.crisis_missed
            or self.problems
            or self.count_mismatches
            or self.dishonest
        )

    # Figures ------------------------------------------------------------------
    @property
    def shown(self) -> int:
        return sum(o.shown for o in self.outcomes)

    def _share(self, outcomes: Iterable[Outcome], attr: str) -> tuple[int, int]:
        chosen = list(outcomes)
        return sum(getattr(o, attr) for o in chosen), sum(o.shown for o in chosen)

    @property
    def nice_share(self) -> tuple[int, int]:
        return self._share((o for o in self.outcomes if o.nice_asked), "nice_met")

    @property
    def issue_any_share(self) -> tuple[int, int]:
        return self._share((o for o in self.outcomes if o.vignette.answers.issues), "issue_any")

    @property
    def issue_primary_share(self) -> tuple[int, int]:
        return self._share((o for o in self.outcomes if o.vignette.answers.issues), "issue_primary")

    @property
    def preference_recall(self) -> tuple[int, int, float | None]:
        """(hits, ceilings, mean per-vignette recall) over vignettes asking for
        something that some eligible therapist meets."""
        asked = [o for o in self.outcomes if o.asks and o.ceiling]
        hits = sum(o.requested_shown for o in asked)
        ceiling = sum(o.ceiling for o in asked)
        mean = statistics.fmean(o.requested_shown / o.ceiling for o in asked) if asked else None
        return hits, ceiling, mean

    @property
    def full_lists(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.shown >= scoring.TOP]

    def as_text(self) -> str:
        lines: list[str] = []
        add = lines.append
        add("Matching evaluation")
        add("===================")
        add(
            f"Vignettes: {len(self.outcomes)} ({len(self.crisis)} with crisis language) · "
            f"published profiles: {self.profiles:,} · today: {self.today.isoformat()}"
        )
        add("")
        add("Gates")
        add(
            f"  Hard-constraint violations: {len(self.violations)} in {self.shown} shown matches"
            f"  [{'PASS' if not self.violations else 'FAIL'}]"
        )
        for v in self.violations[:50]:
            add(f"    - {v}")
        if len(self.violations) > 50:
            add(f"    ... and {len(self.violations) - 50} more")
        add(
            f"  Crisis language detected: {len(self.crisis) - len(self.crisis_missed)}/"
            f"{len(self.crisis)} crisis vignettes ({_pct(self.crisis_recall)})"
            f"  [{'PASS' if not self.crisis_missed else 'FAIL'}]"
        )
        for o in self.crisis_missed:
            add(f"    - missed {o.vignette.id}: {o.vignette.answers.free_text!r}")
        if self.recounted:
            agree = len(self.outcomes) - len(self.count_mismatches)
            add(
                f"  Eligible counts re-derived from the database: {agree}/{len(self.outcomes)} agree"
                f"  [{'PASS' if not self.count_mismatches else 'FAIL'}]"
            )
            for o in self.count_mismatches:
                add(f"    - {o.vignette.id}: rank() {o.eligible}, oracle {o.recount}")
        add(
            f"  Vignette problems: {len(self.problems)}  [{'PASS' if not self.problems else 'FAIL'}]"
        )
        for p in self.problems:
            add(f"    - {p}")
        add(
            f"  Offers that cannot help (relaxations adding nobody, superbill with Medicaid): "
            f"{len(self.dishonest)}  [{'PASS' if not self.dishonest else 'FAIL'}]"
        )
        for d in self.dishonest:
            add(f"    - {d}")
        add("")
        add("Crisis language, other side")
        calm, alarms = self.calm_texts, self.false_alarms
        add(
            f"  False alarms: {len(alarms)}/{len(calm)} non-crisis vignettes with free text"
            f" ({_pct(len(alarms) / len(calm) if calm else 0.0)})"
        )
        for o in alarms:
            add(f"    - {o.vignette.id}: {o.vignette.answers.free_text!r}")
        add("")
        add("Fit (shown matches)")
        met, of = self.nice_share
        asked = sum(1 for o in self.outcomes if o.nice_asked)
        add(f"  Meet every nice-to-have: {_ratio(met, of)} ({asked} vignettes name any)")
        any_, of = self.issue_any_share
        prim, _of = self.issue_primary_share
        add(f"  List at least one of the person's issues: {_ratio(any_, of)}")
        add(f"  List the first-named (primary) issue: {_ratio(prim, of)}")
        hits, ceiling, mean = self.preference_recall
        recall_of = [o for o in self.outcomes if o.asks and o.ceiling]
        add(
            f"  Preference recall@{scoring.TOP} (eligible meeting the main concern and a chosen "
            f"approach, in the top {scoring.TOP} / min({scoring.TOP}, how many)): "
            f"{_ratio(hits, ceiling)}; mean per vignette "
            + (_pct(mean) if mean is not None else "n/a")
            + f" over {len(recall_of)} vignettes; goal 90%"
        )
        short = [o for o in recall_of if o.requested_shown < o.ceiling]
        add(f"    vignettes below their ceiling: {len(short)}")
        if self.recounted:
            for key, label in (
                ("nice", "meet every nice-to-have"),
                ("issue_any", "list one of the issues"),
                ("issue_primary", "list the primary issue"),
            ):
                values = [o.baseline[key] for o in self.outcomes if key in o.baseline]
                if values:
                    add(
                        f"  Baseline, all eligible (mean over {len(values)} vignettes): "
                        f"{_pct(statistics.fmean(values))} {label}"
                    )
        none = [o for o in self.outcomes if o.none_list_main]
        add(
            f"  Lists with no shown match listing the main concern: {len(none)} "
            f"(the page says so; a way to find one offered for "
            f"{sum(1 for o in none if o.way_to_main)})"
        )
        further = [o for o in self.outcomes if o.looked_further]
        add(
            f"  Scarce main concern, looked further (wider area or online, shown apart): "
            f"{len(further)} vignettes, {sum(o.looked_further for o in further)} therapists"
        )
        online = sum(o.online_only for o in self.outcomes)
        licensed = sum(o.online_only_licensed for o in self.outcomes)
        add(
            f"  Online-only matches holding a licence in the person's state: {_ratio(licensed, online)}"
            " (informational: telehealth states are self-reported)"
        )
        add("")
        full = self.full_lists
        add(f"Diversity (vignettes with a full top {scoring.TOP}: {len(full)})")
        if full:
            add(
                f"  Distinct licence types per top {scoring.TOP}: "
                f"{statistics.fmean(o.licence_types for o in full):.1f} on average "
                f"(min {min(o.licence_types for o in full)}, max {max(o.licence_types for o in full)})"
            )
            add(
                f"  Distinct cities per top {scoring.TOP}: "
                f"{statistics.fmean(o.cities for o in full):.1f} on average "
                f"(min {min(o.cities for o in full)}, max {max(o.cities for o in full)})"
            )
        add("")
        add("Results")
        eligible = sorted(o.eligible for o in self.outcomes)
        add(
            f"  Eligible per vignette: median {statistics.median(eligible):,.0f}, "
            f"min {eligible[0]:,}, max {eligible[-1]:,}"
        )
        counts = [o.shown for o in self.outcomes]
        add(
            f"  Shown: {scoring.TOP} for {sum(1 for c in counts if c >= scoring.TOP)}, "
            f"1-{scoring.TOP - 1} for {sum(1 for c in counts if 0 < c < scoring.TOP)}, "
            f"none for {sum(1 for c in counts if c == 0)}"
        )
        unmet = [o for o in self.outcomes if o.unmet_expectations]
        add(
            f"  Vignette expectations not met: {len(unmet)} of {len(self.outcomes)}"
            " (informational: they depend on the data set)"
        )
        for o in unmet:
            add(f"    - {o.vignette.id}: {'; '.join(o.unmet_expectations)}")
        add("")
        add("Per vignette")
        header = (
            f"  {'id':<36} {'eligible':>8} {'shown':>5} {'viol':>4} {'crisis':>7} "
            f"{'issue':>5} {'prim':>4} {'nice':>4} {'recall':>6} {'lic':>3} {'city':>4}  "
            "relaxations offered"
        )
        add(header)
        for o in self.outcomes:
            crisis = ("yes" if o.crisis_expected else "no") + (
                "/hit" if o.crisis_detected and o.crisis_expected
                else "/MISS" if o.crisis_expected
                else "/FA" if o.crisis_detected
                else ""
            )  # fmt: skip
            nice = f"{o.nice_met:>4}" if o.nice_asked else f"{'-':>4}"
            issue = (
                f"{o.issue_any:>5} {o.issue_primary:>4}"
                if o.vignette.answers.issues
                else f"{'-':>5} {'-':>4}"
            )
            recall = f"{o.requested_shown}/{o.ceiling}" if o.asks else "-"
            add(
                f"  {o.vignette.id:<36} {o.eligible:>8,} {o.shown:>5} {len(o.violations):>4} "
                f"{crisis:>7} {issue} {nice} {recall:>6} {o.licence_types:>3} {o.cities:>4}  "
                + ("; ".join(o.relaxations) if o.relaxations else "")
            )
        add("")
        add(
            "Columns: issue/prim = shown matches listing one of the issues / the primary issue; "
            "nice = shown matches meeting every nice-to-have; recall = eligible meeting the main "
            "concern and a chosen approach in the top ten / min(10, how many); lic/city = distinct licence types / "
            "cities among those shown; crisis = expected/detected (FA = false alarm)."
        )
        add("Result: " + ("PASS" if self.ok else "FAIL"))
        return "\n".join(lines) + "\n"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _ratio(part: int, whole: int) -> str:
    return f"{_pct(part / whole)} ({part}/{whole})" if whole else "n/a (0 shown)"


def evaluate(
    vignettes: Sequence[Vignette],
    *,
    today: dt.date,
    recount: bool = False,
    state: ix.IndexState | None = None,
) -> Report:
    """Run every vignette through `scoring.rank()` and check the results (see module docstring)."""
    problems = vignette_problems(vignettes)
    state = state or ix.get_index()
    everyone = read_facts(None) if recount else None
    outcomes = [run_vignette(v, today=today, state=state, everyone=everyone) for v in vignettes]
    return Report(
        today=today,
        profiles=TherapistProfile.objects.published().count(),
        outcomes=outcomes,
        problems=problems,
        recounted=recount,
    )
