"""Find your match: the questionnaire, the results, and saved result links.

Every step is a POST form (CSRF-protected) whose answers go to the session
(see session.py for where answers may and may not live); the step pages
themselves are GET pages addressed by step number only, so the browser's
back and forward buttons work and no answer reaches a URL. With htmx, a step
swaps only the step region and the address follows the step number.

Crisis language in the free text (or choosing "Suicidal thoughts" or
"Self-harm") brings the crisis resources to the top of the next screen, with
what fits the level of urgency first (triage.py: 988 and 911 for a plan, an
urgent evaluation for voices commanding harm, the domestic violence hotline
and a quick exit for violence at home, a medical check). It is worked out
from the session's text and answers each time that screen is drawn; no flag
is stored, logged or passed on, and nothing is blocked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rapport.core import crisis as crisis_config
from rapport.core import display, geo
from rapport.core.states import state_name
from rapport.directory.search import LocationResult, SearchQuery, resolve_location
from rapport.matching import forms as mf
from rapport.matching import understanding
from rapport.matching.models import SavedMatch, saved_match_create
from rapport.matching.phrases import issues_in_text
from rapport.matching.scoring import Answers, Match, MatchResult, rank
from rapport.matching.session import (
    STEPS,
    answers_from_json,
    answers_to_json,
    clear_state,
    load_state,
    mark_answered,
    new_state,
    next_unanswered,
    save_state,
    state_answers,
)
from rapport.matching.triage import Triage, triage
from rapport.taxonomy.models import Kind

# The crisis resources shown on the screen after worrying words, in this order.
CRISIS_NOW = ("988", "911", "crisis-text-line")
# (Which words and answers bring them, and what each level shows first: triage.py.)
PREFERENCE_TAXONOMY = {
    "identity": Kind.IDENTITY,
    "community": Kind.COMMUNITY,
    "language": Kind.LANGUAGE,
}
PAYMENT_LABELS = dict(mf.PAYMENT_CHOICES)
CONSULTATION_LABELS = dict(mf.CONSULTATION_CHOICES)


# --- The person's questionnaire, for each view -----------------------------------------------


P = ParamSpec("P")
StateView = Callable[Concatenate[HttpRequest, dict[str, Any], P], HttpResponse]


def with_questionnaire(view: StateView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Pass the person's questionnaire state to the view as `data`.

    Without one (never started, cleared, or older than 24 hours and so just
    discarded) the person goes to the start, which says when answers expired.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        data, expired = load_state(request)
        if data is None:
            return _to_start(request, expired)
        return view(request, data, *args, **kwargs)

    return wrapper


def _to_start(request: HttpRequest, expired: bool) -> HttpResponse:
    url = reverse("matching:start")
    return _leave(request, f"{url}?expired=1" if expired else url)


# --- Small helpers --------------------------------------------------------------------------


def _step_url(number: int) -> str:
    return reverse("matching:step", args=[number])


def _crisis_now(data: dict[str, Any]) -> Triage:
    """How urgent the words and answers sound (triage.py): false when not at all.

    Worked out at render time from the session's own text and answers; never
    stored, logged or put in a URL (domain.md 3.3)."""
    answers = data["answers"]
    return triage(data.get("free_text", ""), answers.get("issues", []))


def _crisis_resources() -> list[crisis_config.Resource]:
    config = crisis_config.load()
    return [r for slug in CRISIS_NOW if (r := config.get(slug)) is not None]


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A full page, or only the step region for htmx."""
    context.setdefault("steps", STEPS)
    if request.htmx:
        response = render(request, "matching/_step.html", context, status=status)
    else:
        response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _go(
    request: HttpRequest,
    data: dict[str, Any],
    where: int | str,
    *,
    place: LocationResult | None = None,
) -> HttpResponse:
    """After a POST: redirect (303) to the next screen, or draw it in place for htmx
    (with the place, if this request has already resolved it)."""
    url = reverse("matching:words") if where == "words" else _step_url(int(where))
    if not request.htmx:
        return _see_other(url)
    if where == "words":
        response = _words_screen(request, data, None)
    elif int(where) == STEPS:
        response = _review_screen(request, data, place)
    else:
        response = _step_screen(request, data, int(where), None)
    response["HX-Push-Url"] = url
    return response


def _see_other(url: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


def _leave(request: HttpRequest, url: str) -> HttpResponse:
    """Go to a whole page (not a step). htmx would follow a redirect and put the
    whole page inside the step region, so it is told to load the page instead."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return _see_other(url)


def _after(data: dict[str, Any], number: int) -> int:
    # Once they have seen the review, a changed answer goes straight back to it.
    return STEPS if data.get("reviewed") else number + 1


# --- Start -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    # Entry points: the approach or issue page the person came from. Checked
    # against the taxonomy; it only pre-ticks a box on that one step.
    prefill = {
        key: slug
        for key, kind in (("issue", Kind.ISSUE), ("approach", Kind.APPROACH))
        if (slug := mf.valid_slug(kind, source.get(key)))
    }
    data, expired = load_state(request)
    if request.method == "POST":
        if request.POST.get("action") == "continue" and data is not None:
            data["prefill"].update(prefill)
            save_state(request, data)
            return _see_other(_step_url(next_unanswered(data)))
        save_state(request, new_state(prefill))
        return _see_other(_step_url(1))

    came_from = ""
    if "approach" in prefill:
        came_from = mf.term_name(Kind.APPROACH, prefill["approach"])
    elif "issue" in prefill:
        came_from = mf.term_name(Kind.ISSUE, prefill["issue"])
    context = {
        "prefill": prefill,
        "came_from": came_from,
        "came_from_kind": "approach" if "approach" in prefill else "issue",
        "has_answers": data is not None and bool(data["answered"]),
        "expired": expired or request.GET.get("expired") == "1",
        "cleared": request.GET.get("cleared") == "1",
        "deleted": request.GET.get("deleted") == "1",
        "steps": STEPS,
    }
    return render(request, "matching/start.html", context)


# --- Steps -------------------------------------------------------------------------------------


def _step_screen(
    request: HttpRequest, data: dict[str, Any], number: int, form: mf.StepForm | None
) -> HttpResponse:
    if form is None:
        form_class = mf.STEP_FORMS[number]
        form = form_class(initial=form_class.initial_for(data), state=data)
        if number == 3 and data["answers"].get("location"):
            # Sent back from the results (or typed before going back): show why.
            checked = mf.WhereForm.of_answers(data)
            if not checked.is_valid():
                form = checked
    context = {
        "number": number,
        "title": mf.STEP_TITLES[number],
        "form": form,
        "template": f"matching/steps/step{number}.html",
        "action": _step_url(number),
        "skippable": number != 3,
        "who": data["answers"].get("who", "me"),
    }
    return _page(request, "matching/step.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@with_questionnaire
def step(request: HttpRequest, data: dict[str, Any], number: int) -> HttpResponse:
    """Step `number` (1 to STEPS, checked by the URL) and its answers' POST."""
    if number == STEPS:
        return review(request, data)
    form_class = mf.STEP_FORMS[number]
    if request.method == "GET":
        return _step_screen(request, data, number, None)

    action = request.POST.get("action", "next")
    if action == "skip" and number != 3:
        form_class.skip(data)
        mark_answered(data, number)
        save_state(request, data)
        return _go(request, data, _after(data, number))

    form = form_class(request.POST, state=data)
    valid = form.is_valid()
    if action == "back":
        # Back keeps what they entered here; nothing is lost and nothing is complained about.
        if valid:
            form.apply(data)
        else:
            form.apply_partial(data)
        save_state(request, data)
        if number == 1:
            return _leave(request, reverse("matching:start"))
        return _go(request, data, number - 1)
    if not valid:
        return _step_screen(request, data, number, form)

    form.apply(data)
    mark_answered(data, number)
    if number == 2:
        issues = data["answers"]["issues"]
        data["suggested"] = [s for s in issues_in_text(data["free_text"]) if s not in issues]
        save_state(request, data)
        if data["suggested"] or _crisis_now(data):
            return _go(request, data, "words")
    save_state(request, data)
    return _go(request, data, _after(data, number), place=form.place)


def _words_screen(
    request: HttpRequest, data: dict[str, Any], form: mf.WordsForm | None
) -> HttpResponse:
    form = form or mf.WordsForm(initial=mf.WordsForm.initial_for(data), state=data)
    context = {
        "number": 2,
        "title": mf.WORDS_TITLE,
        "form": form,
        "template": "matching/steps/words.html",
        "action": reverse("matching:words"),
        "skippable": False,
        "crisis": _crisis_now(data),
        "crisis_resources": _crisis_resources(),
        "has_text": bool(data.get("free_text")),
        "spanish_offer": _spanish_offered(data),
        "spanish_chosen": _spanish_preference(data) is not None,
    }
    return _page(request, "matching/step.html", context)


SPANISH = "es"  # the language taxonomy's slug


def _spanish_preference(data: dict[str, Any]) -> dict[str, Any] | None:
    prefs = data["answers"].get("preferences") or []
    return next((p for p in prefs if p["kind"] == "language" and p["value"] == SPANISH), None)


def _spanish_offered(data: dict[str, Any]) -> bool:
    """Someone who wrote in Spanish is asked, never assumed, to want a Spanish speaker; not
    asked when they already chose another language for sessions (step 5)."""
    if not understanding.looks_spanish(data.get("free_text", "")):
        return False
    prefs = data["answers"].get("preferences") or []
    return all(p["kind"] != "language" or p["value"] == SPANISH for p in prefs)


def _apply_spanish(request: HttpRequest, data: dict[str, Any]) -> None:
    """The offer's box: ticked adds Spanish as a nice-to-have (a "must" chosen on step 5
    stays a must), unticked removes it. Read only when the screen offered it."""
    if not _spanish_offered(data):
        return
    kept = _spanish_preference(data)
    prefs = [p for p in data["answers"].get("preferences") or [] if p is not kept]
    if request.POST.get("prefer_language") == SPANISH:
        prefs.append(kept or {"kind": "language", "value": SPANISH, "must": False})
    data["answers"]["preferences"] = prefs


@never_cache
@require_http_methods(["GET", "POST"])
@with_questionnaire
def words(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    if request.method == "GET":
        return _words_screen(request, data, None)
    form = mf.WordsForm(request.POST, state=data)
    if request.POST.get("action") == "back":
        return _go(request, data, 2)
    if not form.is_valid():  # only a tampered request gets here
        return _words_screen(request, data, form)
    form.apply(data)
    _apply_spanish(request, data)
    save_state(request, data)
    return _go(request, data, _after(data, 2))


# --- Review ---------------------------------------------------------------------------------------


@dataclass
class ReviewItem:
    number: int
    title: str
    lines: list[str]


def _review_items(data: dict[str, Any], place: LocationResult | None) -> list[ReviewItem]:
    answers = state_answers(data)
    raw = data["answers"]
    names = mf.labels(
        [Kind.ISSUE, Kind.INSURANCE, Kind.IDENTITY, Kind.COMMUNITY, Kind.LANGUAGE, Kind.APPROACH]
    )
    not_said = _("Not answered")
    answered = set(data["answered"])

    def said(step: int, lines: list[str]) -> list[str]:
        return lines or [not_said if step not in answered else _("No preference")]

    who = [str(mf.WHO_LABELS.get(answers.who, answers.who))] if "who" in raw else []
    issues = [names.get((Kind.ISSUE, s), s) for s in answers.issues]
    issue_lines = []
    if issues:
        issue_lines.append(_("Main concern: %(issue)s") % {"issue": issues[0]})
        if len(issues) > 1:
            issue_lines.append(_("Also: %(issues)s") % {"issues": ", ".join(issues[1:])})
    if data.get("free_text"):
        issue_lines.append(_("In your own words: “%(text)s”") % {"text": data["free_text"]})

    where = []
    if answers.location:
        location = (place or resolve_location(answers.location)).location
        where.append(location.label if location else answers.location)
        if answers.mode == "online":
            where.append(_("Online"))
        elif answers.mode == "in_person":
            where.append(_("In person, within %(miles)d miles") % {"miles": answers.radius})
        else:
            where.append(
                _("In person (within %(miles)d miles) or online") % {"miles": answers.radius}
            )

    pay = []
    if answers.payment == "insurance":
        pay.append(
            _("Insurance: %(insurer)s")
            % {"insurer": names.get((Kind.INSURANCE, answers.insurance), answers.insurance)}
        )
        if data.get("plan_name"):
            pay.append(
                _("Plan: %(plan)s (not used for matching; ask the therapist's office about it)")
                % {"plan": data["plan_name"]}
            )
    elif answers.payment == "self_pay":
        pay.append(
            _("Paying myself, up to $%(budget)s per session") % {"budget": f"{answers.budget:,}"}
            if answers.budget is not None
            else _("Paying myself")
        )
    elif answers.payment == "sliding_scale":
        pay.append(str(PAYMENT_LABELS["sliding_scale"]))

    prefs = [_preference_line(p.kind, p.value, p.must, names) for p in answers.preferences]
    approaches = [names.get((Kind.APPROACH, s), s) for s in answers.approaches]
    consultation = (
        [str(CONSULTATION_LABELS[answers.free_consultation])] if answers.free_consultation else []
    )
    return [
        ReviewItem(1, str(mf.STEP_TITLES[1]), said(1, who)),
        ReviewItem(2, str(mf.STEP_TITLES[2]), said(2, issue_lines)),
        ReviewItem(3, str(mf.STEP_TITLES[3]), where or [_("Not answered yet: needed")]),
        ReviewItem(4, str(mf.STEP_TITLES[4]), said(4, pay)),
        ReviewItem(5, str(mf.STEP_TITLES[5]), said(5, prefs)),
        ReviewItem(
            6, str(mf.STEP_TITLES[6]), said(6, approaches) if approaches else [_("Not sure")]
        ),
        ReviewItem(7, str(mf.STEP_TITLES[7]), said(7, consultation)),
    ]


def _preference_line(kind: str, value: str, must: bool, names: dict[tuple[str, str], str]) -> str:
    if kind == "gender":
        label = str(dict(mf.GENDER_CHOICES).get(value, value))
    elif kind == "faith":
        label = str(dict(mf.FAITH_CHOICES).get(value, value))
    else:
        label = names.get((PREFERENCE_TAXONOMY.get(kind, Kind.COMMUNITY), value), value)
    importance = _("must have") if must else _("nice to have")
    return f"{label} ({importance})"


def _review_screen(
    request: HttpRequest, data: dict[str, Any], place: LocationResult | None = None
) -> HttpResponse:
    if not data.get("reviewed"):
        data["reviewed"] = True
        save_state(request, data)
    names = mf.labels([Kind.ISSUE])
    issues = data["answers"].get("issues", [])
    context = {
        "number": STEPS,
        "title": mf.STEP_TITLES[STEPS],
        "template": "matching/steps/review.html",
        "action": _step_url(STEPS),
        "items": _review_items(data, place),
        "other_issues": [(s, names.get((Kind.ISSUE, s), s)) for s in issues[1:]],
        "needs_location": not data["answers"].get("location"),
        "skippable": False,
    }
    return _page(request, "matching/step.html", context)


def review(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    if request.method == "GET":
        return _review_screen(request, data)
    action = request.POST.get("action", "go")
    if "primary" in request.POST:
        # "Make this my main concern": the first issue carries the most weight.
        slug = request.POST.get("primary", "")
        issues = data["answers"].get("issues", [])
        if slug in issues:
            data["answers"]["issues"] = [slug, *[s for s in issues if s != slug]]
            save_state(request, data)
        return _go(request, data, STEPS)
    if action == "back":
        return _go(request, data, STEPS - 1)
    if not data["answers"].get("location"):
        return _go(request, data, 3)
    return _leave(request, reverse("matching:results"))


# --- Results --------------------------------------------------------------------------------------


@dataclass
class MatchCard:
    match: Match
    place: str
    verified: bool
    further: str = ""  # for a card found by looking further: how it is beyond the answers

    @property
    def profile(self):  # type: ignore[no-untyped-def]
        return self.match.profile


def _rank(answers: Answers, place: LocationResult) -> MatchResult:
    """Rank for the place this request has already resolved from `answers.location`."""
    return rank(answers, place=place)


def _cards(
    result: MatchResult, place: LocationResult, matches: list[Match] | None = None
) -> list[MatchCard]:
    """Cards for the matches (or for `matches`, those found by looking further)."""
    cards = []
    location = place.location
    answers = result.answers
    further = matches is not None
    for match in result.matches if matches is None else matches:
        profile = match.profile
        office = geo.nearest_office(
            profile.office_list(),
            location.lat if location else None,
            location.lon if location else None,
        )
        title_place = display.title_and_place(
            title=profile.title,
            city=office.city if office else "",
            state=office.state if office else "",
        )
        beyond = ""
        if further:
            # Say exactly how this one goes beyond what they asked for.
            if match.in_person and match.distance is not None and match.distance > answers.radius:
                beyond = _("Farther than the %(miles)d miles you chose.") % {
                    "miles": answers.radius
                }
            elif match.online and not match.in_person and answers.mode == "in_person":
                beyond = _("Online only: you asked for in person.")
            elif match.online and not match.in_person:
                beyond = _("Online only.")
        cards.append(
            MatchCard(
                match=match,
                place=title_place,
                verified=profile.licence_verified,
                further=beyond,
            )
        )
    return cards


def _payer_advice(result: MatchResult) -> str:
    """Payment advice that fits the payer. Medicaid: never out of network (a provider
    outside the plan may not bill its member, and a superbill gets nothing back)."""
    if result.medicaid:
        return _(
            "With Medicaid, your plan's own provider directory and its member services line "
            "(the number on your card) can list therapists who take it, and community mental "
            "health centers see people on Medicaid. Ask before the first session whether they "
            "take your plan."
        )
    return ""


def _further_note(result: MatchResult) -> str:
    if not result.further or result.further_answers is None:
        return ""
    issue = result.main_concern.lower()
    if result.specialists:
        first = ngettext(
            "Only %(count)d therapist who fits what you must have lists %(issue)s.",
            "Only %(count)d therapists who fit what you must have list %(issue)s.",
            result.specialists,
        ) % {"count": result.specialists, "issue": issue}
    else:
        first = _("No therapist who fits what you must have lists %(issue)s.") % {"issue": issue}
    location = result.location
    where = state_name(location.state) if location else ""
    return (
        first
        + " "
        + _(
            "These do, found within %(miles)d miles or online in %(state)s: beyond the distance "
            "or format you chose, so check they work for you."
        )
        % {"miles": result.further_answers.radius, "state": where}
    )


def _search_link(answers: Answers) -> str:
    """Search with the place and format only: a URL stays in history and can be shared,
    so what someone needs help with never goes into one."""
    query = SearchQuery(location=answers.location, radius=answers.radius, mode=answers.mode)
    return reverse("directory:search") + "?" + query.to_querystring()


def _results_context(
    result: MatchResult, answers: Answers, place: LocationResult
) -> dict[str, Any]:
    main = result.main_concern
    return {
        "result": result,
        "cards": _cards(result, place),
        "main_concern": main.lower() if main[1:].islower() else main,
        "further": _cards(result, place, result.further) if result.further else [],
        "further_note": _further_note(result),
        "finds_main": list(enumerate(result.finds_main)),
        "payer_advice": _payer_advice(result),
        "relaxations": [(i, r, r.label) for i, r in enumerate(result.relaxations)],
        "few": result.eligible < 3,
        "youth": answers.who in ("child", "teen", "family_child", "family_teen"),
        "search_url": _search_link(answers),
    }


@never_cache
@require_safe
@with_questionnaire
def results(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    answers = state_answers(data)
    place = resolve_location(answers.location)
    if place.location is None:
        # No place yet, or one that cannot be found: step 3 asks for it and says why.
        return _see_other(_step_url(3))
    result = _rank(answers, place)
    context = _results_context(result, answers, place)
    context.update(
        {
            "crisis": _crisis_now(data),
            "crisis_resources": _crisis_resources(),
            "saved": None,
        }
    )
    return render(request, "matching/results.html", context)


@never_cache
@require_POST
@with_questionnaire
def relax(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    answers = state_answers(data)
    place = resolve_location(answers.location)
    result = _rank(answers, place) if place.location else None
    option = request.POST.get("option", "")
    chosen: Answers | None = None
    if result is not None:
        # "further": the wider search that found the main concern; "main-N": a change
        # that finds someone listing it; "N": a relaxation of a short list.
        relaxations = result.relaxations
        if option == "further":
            chosen = result.further_answers
        elif option.startswith("main-"):
            relaxations, option = result.finds_main, option.removeprefix("main-")
        if chosen is None and option.isdigit() and int(option) < len(relaxations):
            chosen = relaxations[int(option)].answers
    if chosen is not None:
        data["answers"] = answers_to_json(chosen)
        save_state(request, data)
    return _see_other(reverse("matching:results"))


@never_cache
@require_POST
@with_questionnaire
def keep(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    """Only on this click do answers leave the session: a saved list, for 7 days."""
    answers = state_answers(data)
    if not answers.location:
        return _see_other(_step_url(3))
    _row, token = saved_match_create(answers=answers_to_json(answers))
    return _see_other(reverse("matching:saved", args=[token]))


@never_cache
@require_http_methods(["POST"])
def clear(request: HttpRequest) -> HttpResponse:
    clear_state(request)
    return _see_other(reverse("matching:start") + "?cleared=1")


# --- Saved lists ------------------------------------------------------------------------------------


def _gone(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "matching/saved_gone.html", {"status": status}, status=status)


@never_cache
@require_safe
def saved(request: HttpRequest, token: str) -> HttpResponse:
    row = SavedMatch.objects.for_token(token).first()
    if row is None:
        return _gone(request, 404)
    if row.is_expired:
        return _gone(request, 410)
    answers = answers_from_json(row.answers)
    place = resolve_location(answers.location)
    context = _results_context(_rank(answers, place), answers, place)
    context.update({"saved": row, "saved_url": request.build_absolute_uri(), "token": token})
    # The address is the key to the list. The site-wide Referrer-Policy (same-origin)
    # already keeps it from other sites; "no-referrer" would also make the browser send
    # "Origin: null" with the Delete form, which CSRF protection rightly refuses.
    return render(request, "matching/results.html", context)


@never_cache
@require_POST
def saved_delete(request: HttpRequest, token: str) -> HttpResponse:
    SavedMatch.objects.for_token(token).delete()
    return _see_other(reverse("matching:start") + "?deleted=1")
