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
from rapport.taxonomy import hierarchy
from rapport.taxonomy.models import Kind

TOP = 10
# What the person asked for ranks before anything generic, in this order:
# 1. the main concern (the first issue they chose; a narrower issue counts
#    toward a broader one, see taxonomy.hierarchy);
# 2. each approach they chose that the therapist practises;
# 3. the rest of what they asked for: further issues, nice-to-have preferences,
#    a free consultation when nice to have, an approach written about;
# 4. only then practical closeness and profile quality, as tie-breakers
#    among therapists who fit the request equally.
# Each tier outweighs everything below it (`TIERS`), so no amount of nearness,
# freshness or completeness lets a generalist pass someone who lists what the
# person came for. Within tier 3 the weights keep their old reasoning:
# explicit preferences are the best-evidenced lever for dropout, so each is
# worth more than a further issue; approaches are weakly evidenced as a
# matching factor. No weight for anything paid or hidden.
WEIGHTS: dict[str, float] = {
    "primary_issue": 1.0,  # tier 1: lists the main concern
    "approach": 1.0,  # tier 2: each chosen approach practised
    "other_issue": 2.0,  # tier 3: each further issue
    "preference": 2.5,  # tier 3: each "nice to have" preference met
    "free_consultation": 1.0,  # tier 3: when they asked for one as nice to have
    "approach_statement": 0.5,  # tier 3: ...and writes about a chosen approach
    "distance": 1.5,  # tier 4: in person, full at 0 miles, none at the radius
    "freshness": 1.0,  # tier 4: availability confirmed recently
    "completeness": 1.0,  # tier 4: the profile tells them what they need to decide
}
# Multipliers per tier. Tier 4 is at most 3.5 points; tier 3 moves in steps of
# 0.5 x 10 = 5 (`REQUEST_STEP`), so one step of the request outweighs all of
# tier 4; tier 3 stays far below 10,000 and tier 2 (approaches) below 1,000,000.
TIERS: dict[str, float] = {"main": 1_000_000.0, "approach": 10_000.0, "wishes": 10.0}
REQUEST_STEP = 5.0
# Fewer eligible therapists than this listing the main concern: a scarce
# specialty, so matching looks further (the widest radius, online in the
# state) and shows who it finds there apart, saying so.
SCARCE = 3
# Scores within this band count as equal, and equals rotate daily.
SCORE_BAND = 1.0
WHO = {
    # who therapy is for -> (formats any of, ages any of)
    "me": (("individual",), ("adults",)),
    "relationship": (("couples",), ("adults",)),
    "family": (("family",), ()),  # answers saved before the question below existed
    # Family therapy, by whether children take part (asked on the same step):
    "family_child": (("family",), ("children",)),
    "family_teen": (("family",), ("teens",)),
    "family_adults": (("family",), ("adults",)),
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
    count: int  # eligible with this change (always more than now: see _relaxations)
    answers: Answers
    specialists: int = 0  # ...of whom list the main concern


@dataclass
class MatchResult:
    answers: Answers
    location: engine.Location | None
    location_problem: str
    eligible: int
    matches: list[Match]
    relaxations: list[Relaxation]
    # The main concern, as a name ("" when none was chosen), how many eligible
    # therapists list it (a narrower issue counts) and how many of those shown do.
    main_concern: str = ""
    specialists: int = 0
    specialists_shown: int = 0
    # A scarce specialty: who lists it beyond what was asked (farther, or
    # online), shown apart and labelled; `further_answers` finds them.
    further: list[Match] = field(default_factory=list)
    further_answers: Answers | None = None
    # Changes that would find someone listing the main concern when nobody
    # eligible does (each with its count of such therapists).
    finds_main: list[Relaxation] = field(default_factory=list)
    medicaid: bool = False  # the payer is Medicaid or a Medicaid plan: advice fits it


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
    """Points per eligible profile, from `WEIGHTS` and `TIERS` (pure: columns in,
    numbers out). `request_level(points)` is the request part alone."""
    seg, pos = e.segment, e.positions

    def has(namespace: str, key: str) -> np.ndarray:
        row = seg.row(namespace, key)
        return engine.bits_at(row, pos) if row is not None else np.zeros(len(pos), dtype=bool)

    # The index's row of a broad issue also holds its narrower ones (hierarchy).
    main = np.zeros(len(pos))
    if answers.issues:
        main += WEIGHTS["primary_issue"] * has(Kind.ISSUE, answers.issues[0])
    approaches = np.zeros(len(pos))
    wishes = np.zeros(len(pos))
    for slug in answers.issues[1:]:
        wishes += WEIGHTS["other_issue"] * has(Kind.ISSUE, slug)
    for pref in answers.preferences:
        if pref.must:
            continue  # already guaranteed
        wishes += WEIGHTS["preference"] * _preference_bits(has, pref)
    for slug in answers.approaches:
        approaches += WEIGHTS["approach"] * has(Kind.APPROACH, slug)
        wishes += WEIGHTS["approach_statement"] * has("approach_statement", slug)
    if answers.free_consultation == "nice":
        wishes += WEIGHTS["free_consultation"] * has("flag", "free_consultation")
    quality = np.zeros(len(pos))
    if answers.mode != "online" and answers.radius:
        near = np.where(e.in_person, 1.0 - np.minimum(e.distance / answers.radius, 1.0), 0.0)
        quality += WEIGHTS["distance"] * np.nan_to_num(near)
    # Search's freshness (FRESH_DAYS, STALE_DAYS): one rule for both.
    quality += WEIGHTS["freshness"] * engine.freshness(seg.confirmed[pos], today)
    quality += WEIGHTS["completeness"] * seg.completeness[pos]
    return (
        TIERS["main"] * main + TIERS["approach"] * approaches + TIERS["wishes"] * wishes + quality
    )


def request_level(points: np.ndarray | float) -> np.ndarray:
    """How much of the request a score stands for (tiers 1 to 3), without tier 4."""
    return np.floor(np.asarray(points) / REQUEST_STEP).astype(np.int64)


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
    chosen, ids, scores = _ranked(parts, answers, today)
    matches = _load_and_explain(chosen, answers, location, state)
    main_bits = TIERS["main"] * WEIGHTS["primary_issue"]
    specialists = int(np.count_nonzero(scores >= main_bits)) if answers.issues else 0
    result = MatchResult(
        answers=answers,
        location=location,
        location_problem=resolved.problem,
        eligible=total,
        matches=matches,
        relaxations=(
            _relaxations(answers, state=state, place=resolved, now=total)
            if total < 3 and location is not None
            else []
        ),
        main_concern=_term_label(Kind.ISSUE, answers.issues[0], state) if answers.issues else "",
        specialists=specialists,
        specialists_shown=sum(1 for _pid, points, *_rest in chosen if points >= main_bits),
        medicaid=answers.payment == "insurance" and hierarchy.is_medicaid(answers.insurance),
    )
    if (
        answers.issues
        and specialists < SCARCE
        and location is not None
        and _listed_anywhere(state, answers.issues[0])
    ):
        _look_further(result, set(ids.tolist()), state=state, place=resolved, today=today)
    return result


def _listed_anywhere(state: ix.IndexState, issue: str) -> bool:
    """Whether any profile in the index lists `issue` (or a narrower one): looking further
    for a concern nobody lists would cost two wide searches and find no one."""
    segments = [state.base] if state.delta is None else [state.base, state.delta]
    for segment in segments:
        bits = segment.row("issue", issue)
        if bits is not None and bits.any():
            return True
    return False


def _ranked(
    parts: list[_Eligible], answers: Answers, today: dt.date
) -> tuple[list[tuple[int, float, float, bool, bool]], np.ndarray, np.ndarray]:
    """(the varied top ten, every eligible id, every eligible score)."""
    if not sum(len(p.positions) for p in parts):
        return [], np.zeros(0, np.int64), np.zeros(0)
    ids = np.concatenate([p.segment.ids[p.positions] for p in parts])
    scores = np.concatenate([score(p, answers, today=today) for p in parts])
    distance = np.concatenate([p.distance for p in parts])
    in_person = np.concatenate([p.in_person for p in parts])
    online = np.concatenate([p.online for p in parts])
    # Score band first (higher first), then the daily rotation: one composite
    # key and a partial sort, since only the first TOP * 5 are looked at.
    band = np.floor(scores / SCORE_BAND).astype(np.int64)
    # 32 bits: the request tiers make scores reach millions (see TIERS).
    key = engine.composite_key([(band.max() - band, 32)], engine.rotation_keys(ids, today))
    order = engine.top_order(key, TOP * 5)[: TOP * 5]
    kinds = _licence_kinds(parts, order)
    return _diverse_top(order, ids, scores, distance, in_person, online, kinds), ids, scores


def _wider(answers: Answers) -> Answers:
    """The same request, looking as far as matching ever does: the widest radius
    and online sessions in the state (unless only online was asked)."""
    if answers.mode == "online":
        return answers
    return replace(answers, mode="both", radius=max(engine.RADII))


def _look_further(
    result: MatchResult,
    seen: set[int],
    *,
    state: ix.IndexState,
    place: engine.LocationResult,
    today: dt.date,
) -> None:
    """For a scarce main concern: who lists it a little further away or online, shown
    apart from the matches (the person's own limits still hold for those), and,
    when nobody eligible lists it, which single change would find someone."""
    answers = result.answers
    main_bits = TIERS["main"] * WEIGHTS["primary_issue"]
    wider = _wider(answers)
    if wider != answers:
        _location, parts = eligible(wider, state=state, place=place)
        chosen, _ids, _scores = _ranked(parts, wider, today)
        extra = [c for c in chosen if c[1] >= main_bits and c[0] not in seen]
        if extra:
            result.further = _load_and_explain(extra[:SCARCE], wider, result.location, state)
            result.further_answers = wider
    if result.specialists == 0 and not result.further:
        # Only when looking further found nobody (the page shows those instead).
        options = _relaxations(
            answers, state=state, place=place, now=result.eligible, main=answers.issues[0]
        )
        result.finds_main = [r for r in options if r.specialists > 0]


def _diverse_top(order, ids, scores, distance, in_person, online, kinds):  # type: ignore[no-untyped-def]
    """The top ten, holding back a near-duplicate (same score band, licence type and
    5-mile ring as one already picked) while others that fit the request equally
    wait, so the list is varied. A held-back profile is never passed by one that
    fits the request less: variety only among equals (same `request_level`)."""
    picked: list[int] = []
    seen: set[tuple[float, int, int]] = set()
    levels = request_level(scores[order]) if len(order) else np.zeros(0, np.int64)
    start = 0
    while start < len(order) and len(picked) < TOP:
        end = start
        while end < len(order) and levels[end] == levels[start]:
            end += 1
        held: list[int] = []
        for k in order[start:end]:
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
        start = end
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
    state: ix.IndexState | None = None,
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
        match.reasons, match.unmet = explain(profile, answers, location, match, state=state)
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
    *,
    state: ix.IndexState | None = None,
) -> tuple[list[str], list[str]]:
    """("Why this match" lines, what of the request it does not list), from the
    profile's own data. `state`: the index the ranking read (for term names)."""
    terms = {(t.kind, t.slug): t for t in profile.term_list()}
    approaches = profile.approaches
    reasons: list[str] = []
    unmet: list[str] = []

    plans = (
        [
            t.name
            for (kind, slug), t in terms.items()
            if kind == Kind.INSURANCE and slug in hierarchy.narrower(kind, answers.insurance)
        ]
        if answers.payment == "insurance"
        else []
    )
    if plans:
        # The plan they chose, or a plan counting toward it (a state Blue plan for BCBS).
        insurer = (
            terms[(Kind.INSURANCE, answers.insurance)].name
            if (Kind.INSURANCE, answers.insurance) in terms
            else _names(plans)
        )
        reasons.append(_("In network with %(insurer)s (therapist-reported)") % {"insurer": insurer})
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

    # A chosen issue is met by the term itself or a narrower one counting toward
    # it (taxonomy.hierarchy); the line names what the profile actually lists.
    issues: list[str] = []
    for slug in answers.issues:
        if (Kind.ISSUE, slug) in terms:
            issues.append(_lower(terms[(Kind.ISSUE, slug)].name))
            continue
        under = [
            t.name
            for (kind, other), t in terms.items()
            if kind == Kind.ISSUE and other != slug and other in hierarchy.narrower(kind, slug)
        ]
        if under:
            issues.append(
                _("%(narrower)s (part of %(issue)s)")
                % {
                    "narrower": _names([_lower(n) for n in under]),
                    "issue": _lower(_term_label(Kind.ISSUE, slug, state)),
                }
            )
        else:
            unmet.append(
                _("Doesn't list %(issue)s")
                % {"issue": _lower(_term_label(Kind.ISSUE, slug, state))}
            )
    if issues:
        reasons.append(_("Works with %(issues)s") % {"issues": _names(issues)})
    for slug in answers.approaches:
        if slug in approaches:
            name = approaches[slug].name
            if approaches[slug].statement:
                reasons.append(_("Writes about %(approach)s") % {"approach": name})
            else:
                reasons.append(_("Practices %(approach)s") % {"approach": name})
        else:
            unmet.append(
                _("Doesn't list %(approach)s")
                % {"approach": _term_label(Kind.APPROACH, slug, state)}
            )

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
            _("license verified %(date)s")
            % {"date": date_format(timezone.localtime(lic.verified_at), "F Y")}
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
    elif answers.free_consultation == "nice":
        unmet.append(_("Doesn't list a free consultation"))

    for pref in answers.preferences:
        label, met = _preference_met(profile, terms, pref)
        if met:
            reasons.append(label + " " + _("(self-described)"))
        elif not pref.must:
            unmet.append(_("Doesn't list: %(preference)s") % {"preference": label})
    return reasons, unmet


def _lower(name: str) -> str:
    """ "Anxiety" reads "anxiety" in a sentence; "PTSD" and "LGBTQ+ issues" keep theirs."""
    return name.lower() if name[1:].islower() or name[1:] == name[1:].lower() else name


def _term_label(kind: str, slug: str, state: ix.IndexState | None = None) -> str:
    """A term's name from the search's term dictionary (cached per index version: no
    query when given the `state`; `ix.get_index()` checks the version in the database)."""
    return engine.term_dictionary(state or ix.get_index()).label(kind, slug)


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
    answers: Answers,
    *,
    state: ix.IndexState,
    place: engine.LocationResult,
    now: int,
    main: str = "",
) -> list[Relaxation]:
    """Up to three single changes that would find more than the `now` eligible
    (a change that adds nobody is not offered), most first; with `main`, each
    also counts who lists that issue."""
    # Every option keeps the place (`answers.location`): it is read once, by rank().
    options: list[tuple[str, Answers]] = []
    if answers.mode == "in_person":
        options.append((_("Include online sessions"), replace(answers, mode="both")))
    if answers.mode != "online":
        # The next radius; for the main concern, also the widest (two searches, not four).
        wider = [r for r in engine.RADII if r > answers.radius]
        for radius in sorted({wider[0], wider[-1]} if main and wider else wider[:1]):
            options.append(
                (
                    _("Within %(miles)d miles") % {"miles": radius},
                    replace(answers, radius=radius),
                )
            )
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
    medicaid = answers.payment == "insurance" and hierarchy.is_medicaid(answers.insurance)
    if answers.payment == "insurance" and not medicaid:
        # Not for Medicaid: a provider outside the plan's network may not bill its
        # member for covered care, and a superbill gets nothing back. The page
        # points to the plan's own directory and community mental health centers.
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
        results.append(_relaxation(label, relaxed, state=state, place=place, main=main))
    results = [r for r in results if r.count > now]
    if not results and len(options) > 1:
        # No single change helps: offer them all at once, so nobody is left
        # with nothing to try.
        combined = replace(
            answers,
            mode="both",
            radius=max(engine.RADII),
            preferences=tuple(replace(p, must=False) for p in answers.preferences),
            payment="" if not medicaid else answers.payment,
            budget=None,
            free_consultation="nice" if answers.free_consultation else "",
        )
        label = (
            _("Loosen all of these: online too, wider area, preferences as nice-to-haves")
            if medicaid
            else _(
                "Loosen all of these: online too, wider area, preferences as nice-to-haves, any fee"
            )
        )
        relaxed_all = _relaxation(label, combined, state=state, place=place, main=main)
        if relaxed_all.count > now:
            results.append(relaxed_all)
    if main:
        results.sort(key=lambda r: (-r.specialists, -r.count))
    else:
        results.sort(key=lambda r: -r.count)
    return results[:3]


def _relaxation(
    label: str,
    relaxed: Answers,
    *,
    state: ix.IndexState,
    place: engine.LocationResult,
    main: str,
) -> Relaxation:
    _location, parts = eligible(relaxed, state=state, place=place)
    count = sum(len(p.positions) for p in parts)
    specialists = 0
    if main:
        for p in parts:
            row = p.segment.row(Kind.ISSUE, main)  # holds the narrower issues too
            if row is not None:
                specialists += int(np.count_nonzero(engine.bits_at(row, p.positions)))
    return Relaxation(label, count, relaxed, specialists)
