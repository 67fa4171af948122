"""Find your match: hard constraints, a soft score, and reasons that are true.

Why this shape (domain.md §1): a directory cannot predict the therapeutic
relationship. What it can do is (1) never show someone who cannot see the
person (wrong state, not accepting, wrong age group or format, a "must have"
missing, unaffordable), (2) honour stated preferences, which lowers dropout,
and (3) offer a short, varied list, explained. So:

- `eligible()` applies the hard constraints as column operations on the
  search index (the same place logic as search: an office within the radius,
  or telehealth in the state where the person will be);
- `score()` adds weighted points for what the person said matters;
- `rank()` orders by score in bands, rotates near-equals daily, and keeps the
  top ten varied;
- `explain()` builds every reason from the profile itself, never from the
  score, so a reason cannot be untrue.

Nothing here is clinically validated, and the product never says it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rapport.core.states import state_name
from rapport.directory import index as ix
from rapport.directory import search as engine
from rapport.directory.summaries import ProfileSummary, read_summaries
from rapport.taxonomy.models import Kind

TOP = 10
# Soft-score weights, in one place. Reasoning: what the person needs help with
# counts most (issues; the first one named is usually the main one), then
# what they said they would like in a therapist, then approaches (weakly
# evidenced as a matching factor, so smaller), then practical closeness and
# profile quality as tie-breakers. No weight for anything paid or hidden.
WEIGHTS: dict[str, float] = {
    "primary_issue": 4.0,  # the first issue the person chose
    "other_issue": 2.0,  # each further issue
    "preference": 2.5,  # each "nice to have" preference met
    "approach": 1.5,  # each approach they chose that the therapist practises
    "approach_statement": 0.5,  # ...and writes about
    "free_consultation": 1.0,  # when they asked for one as nice to have
    "distance": 1.5,  # in person: full at 0 miles, none at the radius
    "freshness": 1.0,  # availability confirmed recently
    "completeness": 1.0,  # the profile tells them what they need to decide
}
# Scores within this band count as equal, and equals rotate daily.
SCORE_BAND = 1.0
WHO = {
    # who therapy is for -> (formats any of, ages any of)
    "me": (("individual",), ("adults",)),
    "relationship": (("couples",), ("adults",)),
    "family": (("family",), ()),
    "child": (("individual", "family"), ("children",)),
    "teen": (("individual", "family"), ("teens",)),
}
PREFERENCE_KINDS = {
    "gender": "genders",
    "identity": "identities",
    "community": "communities",
    "language": "languages",
}
FAITH_SLUGS = {"faith": "faith-integrated", "secular": "secular"}


@dataclass(frozen=True)
class Preference:
    kind: str  # gender, identity, community, language or faith
    value: str  # slug (faith: "faith" or "secular")
    must: bool = False


@dataclass(frozen=True)
class Answers:
    location: str
    mode: str = "both"  # in_person, online, both
    radius: int = 25
    who: str = "me"
    issues: tuple[str, ...] = ()
    free_text: str = ""
    payment: str = ""  # insurance, self_pay, sliding_scale, or "" (not said)
    insurance: str = ""  # slug
    budget: int | None = None  # per session, self-pay
    preferences: tuple[Preference, ...] = ()
    approaches: tuple[str, ...] = ()
    free_consultation: str = ""  # "", "nice", "must"


@dataclass
class Match:
    profile: ProfileSummary
    score: float
    distance: float | None
    in_person: bool
    online: bool
    reasons: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)


@dataclass
class Relaxation:
    label: str
    count: int
    answers: Answers


@dataclass
class MatchResult:
    answers: Answers
    location: engine.Location | None
    location_problem: str
    eligible: int
    matches: list[Match]
    relaxations: list[Relaxation]


# --- Hard constraints ------------------------------------------------------------------


def _hard_query(answers: Answers) -> engine.SearchQuery:
    formats, ages = WHO.get(answers.who, WHO["me"])
    musts: dict[str, list[str]] = {}
    for pref in answers.preferences:
        if pref.must:
            name = PREFERENCE_KINDS.get(pref.kind, "communities")
            value = FAITH_SLUGS.get(pref.value, pref.value) if pref.kind == "faith" else pref.value
            musts.setdefault(name, []).append(value)
    return engine.SearchQuery(
        location=answers.location,
        radius=answers.radius,
        mode=answers.mode,
        formats=formats,
        ages=ages,
        accepting=True,
        free_consultation=answers.free_consultation == "must",
        **{name: tuple(values) for name, values in musts.items()},
    )


def _pays(segment: ix.Segment, positions: np.ndarray, answers: Answers) -> np.ndarray:
    """In network for their insurer, or a fee within budget, or a sliding scale, as asked."""
    if answers.payment == "insurance" and answers.insurance:
        row = segment.row(Kind.INSURANCE, answers.insurance)
        if row is None:
            return np.zeros(len(positions), dtype=bool)
        return engine.bits_at(row, positions)
    sliding = segment.row("flag", "sliding_scale")
    has_sliding = (
        engine.bits_at(sliding, positions)
        if sliding is not None
        else np.zeros(len(positions), bool)
    )
    if answers.payment == "self_pay" and answers.budget is not None:
        fee = segment.fee_min[positions]
        return ((fee >= 0) & (fee <= answers.budget)) | has_sliding
    if answers.payment == "sliding_scale":
        return has_sliding
    return np.ones(len(positions), dtype=bool)


@dataclass
class _Eligible:
    segment: ix.Segment
    positions: np.ndarray
    distance: np.ndarray
    in_person: np.ndarray
    online: np.ndarray


def eligible(
    answers: Answers,
    *,
    state: ix.IndexState,
    place: engine.LocationResult | None = None,
    today: dt.date | None = None,
) -> tuple[engine.Location | None, list[_Eligible]]:
    """The profiles that can see this person, per segment. `place` is
    `resolve_location(answers.location)` when the caller has it (read here when None).
    "Accepting" is read for `today` (directory/availability.py: confirmed within 90 days)."""
    location, passes = engine.candidates(
        _hard_query(answers), place=place, state=state, today=today
    )
    if location is None:
        return None, []  # no place, no match: licensure depends on where they will be
    out = []
    for p in passes:
        keep = np.flatnonzero(_pays(p.segment, p.positions, answers))
        # Distances for the eligible only: a state's telehealth candidates can be
        # ten times as many.
        out.append(
            _Eligible(
                p.segment,
                p.positions[keep],
                p.distance_of(keep),
                p.in_person[keep],
                p.online[keep],
            )
        )
    return location, out


# --- Soft score ------------------------------------------------------------------------------


def score(e: _Eligible, answers: Answers, *, today: dt.date) -> np.ndarray:
    """Points per eligible profile, from `WEIGHTS` (pure: columns in, numbers out)."""
    seg, pos = e.segment, e.positions
    total = np.zeros(len(pos))

    def has(namespace: str, key: str) -> np.ndarray:
        row = seg.row(namespace, key)
        return engine.bits_at(row, pos) if row is not None else np.zeros(len(pos), dtype=bool)

    for i, slug in enumerate(answers.issues):
        total += WEIGHTS["primary_issue" if i == 0 else "other_issue"] * has(Kind.ISSUE, slug)
    for pref in answers.preferences:
        if pref.must:
            continue  # already guaranteed
        total += WEIGHTS["preference"] * _preference_bits(has, pref)
    for slug in answers.approaches:
        total += WEIGHTS["approach"] * has(Kind.APPROACH, slug)
        total += WEIGHTS["approach_statement"] * has("approach_statement", slug)
    if answers.free_consultation == "nice":
        total += WEIGHTS["free_consultation"] * has("flag", "free_consultation")
    if answers.mode != "online" and answers.radius:
        near = np.where(e.in_person, 1.0 - np.minimum(e.distance / answers.radius, 1.0), 0.0)
        total += WEIGHTS["distance"] * np.nan_to_num(near)
    # Search's freshness (FRESH_DAYS, STALE_DAYS): one rule for both.
    total += WEIGHTS["freshness"] * engine.freshness(seg.confirmed[pos], today)
    total += WEIGHTS["completeness"] * seg.completeness[pos]
    return total


def _preference_bits(has, pref: Preference) -> np.ndarray:  # type: ignore[no-untyped-def]
    if pref.kind == "gender":
        return has("gender", pref.value)
    if pref.kind == "faith":
        return has(Kind.COMMUNITY, FAITH_SLUGS.get(pref.value, pref.value))
    kind = {"identity": Kind.IDENTITY, "community": Kind.COMMUNITY, "language": Kind.LANGUAGE}[
        pref.kind
    ]
    return has(kind, pref.value)


# --- Ranking -----------------------------------------------------------------------------------


def rank(
    answers: Answers,
    *,
    place: engine.LocationResult | None = None,
    state: ix.IndexState | None = None,
    today: dt.date | None = None,
) -> MatchResult:
    """The top matches for these answers, explained, with relaxations when few.

    `place` is `engine.resolve_location(answers.location)` when the caller has already
    read it (the page checks the place first): the text is then parsed once per request.
    It is read here when None.
    """
    state = state or ix.get_index()
    today = today or timezone.localdate()
    resolved = place if place is not None else engine.resolve_location(answers.location)
    location, parts = eligible(answers, state=state, place=resolved, today=today)
    total = sum(len(p.positions) for p in parts)
    chosen: list[tuple[int, float, float, bool, bool]] = []
    if total:
        ids = np.concatenate([p.segment.ids[p.positions] for p in parts])
        scores = np.concatenate([score(p, answers, today=today) for p in parts])
        distance = np.concatenate([p.distance for p in parts])
        in_person = np.concatenate([p.in_person for p in parts])
        online = np.concatenate([p.online for p in parts])
        # Score band first (higher first), then the daily rotation: one composite
        # key and a partial sort, since only the first TOP * 5 are looked at.
        band = np.floor(scores / SCORE_BAND).astype(np.int64)
        key = engine.composite_key([(band.max() - band, 16)], engine.rotation_keys(ids, today))
        order = engine.top_order(key, TOP * 5)[: TOP * 5]
        kinds = _licence_kinds(parts, order)
        chosen = _diverse_top(order, ids, scores, distance, in_person, online, kinds)
    matches = _load_and_explain(chosen, answers, location)
    relaxations = (
        _relaxations(answers, state=state, place=resolved)
        if total < 3 and location is not None
        else []
    )
    return MatchResult(
        answers=answers,
        location=location,
        location_problem=resolved.problem,
        eligible=total,
        matches=matches,
        relaxations=relaxations,
    )


def _diverse_top(order, ids, scores, distance, in_person, online, kinds):  # type: ignore[no-untyped-def]
    """The top ten, holding back a near-duplicate (same score band, licence type and
    5-mile ring as one already picked) while others wait, so the list is varied."""
    picked: list[int] = []
    held: list[int] = []
    seen: set[tuple[float, int, int]] = set()
    for k in order:
        ring = int(distance[k] // 5) if np.isfinite(distance[k]) else -1
        key = (float(np.floor(scores[k] / SCORE_BAND)), int(kinds[k]), ring)
        if key in seen:
            held.append(int(k))
            continue
        seen.add(key)
        picked.append(int(k))
        if len(picked) == TOP:
            break
    picked.extend(held[: TOP - len(picked)])
    # Keep the published order (score band, then rotation) among those picked.
    rank_of = {int(k): i for i, k in enumerate(order)}
    picked.sort(key=rank_of.__getitem__)
    return [
        (int(ids[k]), float(scores[k]), float(distance[k]), bool(in_person[k]), bool(online[k]))
        for k in picked
    ]


def _licence_kinds(parts: list[_Eligible], chosen: np.ndarray) -> np.ndarray:
    """The first licence type (as a row number) of each eligible profile, -1 for none;
    read only for the `chosen` indexes (of all parts' profiles in order), -1 elsewhere."""
    total = sum(len(p.positions) for p in parts)
    kinds = np.full(total, -1, dtype=np.int64)
    offset = 0
    for p in parts:
        mine = chosen[(chosen >= offset) & (chosen < offset + len(p.positions))]
        positions = p.positions[mine - offset]
        found = np.full(len(mine), -1, dtype=np.int64)
        for row in sorted(p.segment.rows.get(Kind.LICENSE_TYPE, {}).values()):
            has = engine.bits_at(p.segment.bits[row], positions) & (found < 0)
            found[has] = row
        kinds[mine] = found
        offset += len(p.positions)
    return kinds


# --- Explanations: built from the profile, so every line is true --------------------------------


def _load_and_explain(
    chosen: Sequence[tuple[int, float, float, bool, bool]],
    answers: Answers,
    location: engine.Location | None,
) -> list[Match]:
    if not chosen:
        return []
    profiles = read_summaries([pid for pid, *_ in chosen], details=True)
    matches = []
    for pid, points, distance, in_person, online in chosen:
        profile = profiles.get(pid)
        if profile is None:
            continue
        match = Match(
            profile=profile,
            score=points,
            distance=None if not np.isfinite(distance) else distance,
            in_person=in_person,
            online=online,
        )
        match.reasons, match.unmet = explain(profile, answers, location, match)
        matches.append(match)
    return matches


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + _("and") + " " + items[-1]


def explain(
    profile: ProfileSummary,
    answers: Answers,
    location: engine.Location | None,
    match: Match,
) -> tuple[list[str], list[str]]:
    """("Why this match" lines, nice-to-haves not met), from the profile's own data."""
    terms = {(t.kind, t.slug): t for t in profile.term_list()}
    approaches = profile.approaches
    reasons: list[str] = []
    unmet: list[str] = []

    if answers.payment == "insurance" and (Kind.INSURANCE, answers.insurance) in terms:
        reasons.append(
            _("In network with %(insurer)s (therapist-reported)")
            % {"insurer": terms[(Kind.INSURANCE, answers.insurance)].name}
        )
    elif answers.payment == "self_pay" and answers.budget is not None:
        if profile.fee_min is not None and profile.fee_min <= answers.budget:
            reasons.append(
                _("Sessions from $%(fee)d, within your budget (estimate)")
                % {"fee": profile.fee_min}
            )
        elif profile.sliding_scale:
            reasons.append(_("Offers a sliding scale"))
    elif answers.payment == "sliding_scale" and profile.sliding_scale:
        reasons.append(_("Offers a sliding scale"))

    issues = [terms[(Kind.ISSUE, s)].name for s in answers.issues if (Kind.ISSUE, s) in terms]
    if issues:
        reasons.append(
            _("Works with %(issues)s")
            % {"issues": _names([i.lower() if i[1:].islower() else i for i in issues])}
        )
    for slug in answers.approaches:
        if slug in approaches:
            name = approaches[slug].name
            if approaches[slug].statement:
                reasons.append(_("Writes about %(approach)s") % {"approach": name})
            else:
                reasons.append(_("Practices %(approach)s") % {"approach": name})

    if match.in_person and match.distance is not None:
        reasons.append(_("%(miles).1f miles away") % {"miles": match.distance})
    elif match.in_person and location is not None:
        reasons.append(_("Office in %(state)s") % {"state": state_name(location.state)})
    if match.online and location is not None:
        reasons.append(
            _("Sees clients online in %(state)s") % {"state": state_name(location.state)}
        )
    licensed_here = [
        lic for lic in profile.licences if location is not None and lic.state == location.state
    ]
    if licensed_here:
        lic = licensed_here[0]
        how = (
            _("verified %(date)s") % {"date": lic.verified_at.date().isoformat()}
            if lic.verified_at
            else _("self-reported")
        )
        reasons.append(
            _("Licensed in %(state)s (%(how)s)") % {"state": state_name(lic.state), "how": how}
        )
    if profile.accepting_new_clients:
        if profile.accepting_confirmed_at:
            reasons.append(
                _("Accepting new clients (confirmed %(date)s)")
                % {"date": date_format(profile.accepting_confirmed_at, "F j, Y")}
            )
        else:
            reasons.append(_("Accepting new clients"))
    if answers.free_consultation and profile.free_consultation:
        reasons.append(_("Offers a free consultation"))

    for pref in answers.preferences:
        label, met = _preference_met(profile, terms, pref)
        if met:
            reasons.append(label + " " + _("(self-described)"))
        elif not pref.must:
            unmet.append(label)
    return reasons, unmet


def _term_label(kind: str, slug: str) -> str:
    """A term's name from the search's term dictionary (cached per index version: no query)."""
    return engine.term_dictionary(ix.get_index()).label(kind, slug)


def preference_label(pref: Preference) -> str:
    """How a preference reads in a sentence: "a woman", "Spanish", "LGBTQ+-affirming"."""
    if pref.kind == "gender":
        return {"woman": _("Woman"), "man": _("Man"), "nonbinary": _("Nonbinary")}.get(
            pref.value, pref.value
        )
    if pref.kind == "faith":
        return _("Faith-integrated therapy") if pref.value == "faith" else _("Secular therapy")
    kind = {"identity": Kind.IDENTITY, "community": Kind.COMMUNITY, "language": Kind.LANGUAGE}
    return _term_label(kind.get(pref.kind, Kind.COMMUNITY), pref.value)


def _preference_met(profile: ProfileSummary, terms, pref: Preference) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
    if pref.kind == "gender":
        label = {"woman": _("A woman"), "man": _("A man"), "nonbinary": _("Nonbinary")}.get(
            pref.value, pref.value
        )
        return label, profile.gender == pref.value
    if pref.kind == "faith":
        slug = FAITH_SLUGS.get(pref.value, pref.value)
        term = terms.get((Kind.COMMUNITY, slug))
        label = _("Faith-integrated therapy") if pref.value == "faith" else _("Secular therapy")
        return label, term is not None
    kind = {"identity": Kind.IDENTITY, "community": Kind.COMMUNITY, "language": Kind.LANGUAGE}[
        pref.kind
    ]
    term = terms.get((kind, pref.value))
    if pref.kind == "language":
        name = term.name if term else _term_label(kind, pref.value)
        return _("Speaks %(language)s") % {"language": name}, term is not None
    name = term.name if term else pref.value.replace("-", " ")
    prefix = _("Identifies as") if pref.kind == "identity" else _("Serves")
    return f"{prefix} {name}", term is not None


# --- Too few: which constraint to relax ---------------------------------------------------------


def _relaxations(
    answers: Answers, *, state: ix.IndexState, place: engine.LocationResult
) -> list[Relaxation]:
    # Every option keeps the place (`answers.location`): it is read once, by rank().
    options: list[tuple[str, Answers]] = []
    if answers.mode == "in_person":
        options.append((_("Include online sessions"), replace(answers, mode="both")))
    if answers.mode != "online":
        for radius in engine.RADII:
            if radius > answers.radius:
                options.append(
                    (
                        _("Within %(miles)d miles") % {"miles": radius},
                        replace(answers, radius=radius),
                    )
                )
                break
    for i, pref in enumerate(answers.preferences):
        if pref.must:
            relaxed = list(answers.preferences)
            relaxed[i] = replace(pref, must=False)
            options.append(
                (
                    _("Make “%(pref)s” a nice-to-have") % {"pref": preference_label(pref)},
                    replace(answers, preferences=tuple(relaxed)),
                )
            )
    if answers.payment == "insurance":
        options.append(
            (_("Include therapists out of network (superbill)"), replace(answers, payment=""))
        )
    elif answers.payment in ("self_pay", "sliding_scale"):
        options.append((_("Any fee"), replace(answers, payment="", budget=None)))
    if answers.free_consultation == "must":
        options.append(
            (_("Free consultation as a nice-to-have"), replace(answers, free_consultation="nice"))
        )
    results = []
    for label, relaxed in options:
        _location, parts = eligible(relaxed, state=state, place=place)
        count = sum(len(p.positions) for p in parts)
        results.append(Relaxation(label, count, relaxed))
    results = [r for r in results if r.count > 0]
    if not results and len(options) > 1:
        # No single change helps: offer them all at once, so nobody is left
        # with nothing to try.
        combined = replace(
            answers,
            mode="both",
            radius=max(engine.RADII),
            preferences=tuple(replace(p, must=False) for p in answers.preferences),
            payment="",
            budget=None,
            free_consultation="nice" if answers.free_consultation else "",
        )
        _location, parts = eligible(combined, state=state, place=place)
        count = sum(len(p.positions) for p in parts)
        if count:
            label = _(
                "Loosen all of these: online too, wider area, preferences as nice-to-haves, any fee"
            )
            results.append(Relaxation(label, count, combined))
    results.sort(key=lambda r: -r.count)
    return results[:3]
