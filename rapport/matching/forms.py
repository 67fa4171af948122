"""The "Find your match" questionnaire: one form per step, with the choices it offers.

Each form reads its initial values from the session state and writes its answers
back into it (`initial_for`, `apply`, `skip`); where that state lives, for how long,
and what may never leave it is `matching/session.py`.

Every step is optional except the place: licensure depends on where the
person will physically be during sessions, so nothing can be matched
without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.directory.search import DEFAULT_RADIUS, RADII, LocationResult, resolve_location
from rapport.matching.scoring import FAITH_SLUGS
from rapport.taxonomy.models import Kind, Term

MAX_FREE_TEXT = 1000
MAX_LOCATION = 100
MAX_PLAN = 100
MAX_BUDGET = 10_000
MAX_SUGGESTIONS = 40  # places offered when a name is ambiguous ("Springfield": 30-odd)

# The issues most people come with, shown first as chips; every other issue is
# one click away, grouped. Slugs are from taxonomy/data/issues.toml.
TOP_ISSUES = (
    "anxiety",
    "depression",
    "relationship-issues",
    "trauma-ptsd",
    "stress",
    "grief-bereavement",
    "self-esteem",
    "life-transitions",
    "parenting",
    "couples-marital",
    "adhd",
    "sleep-insomnia",
)
# Approaches people most often ask about by name, listed before the rest.
COMMON_APPROACHES = (
    "cognitive-behavioral-therapy",
    "dialectical-behavior-therapy",
    "acceptance-and-commitment-therapy",
    "eye-movement-desensitization-and-reprocessing",
    "psychodynamic-therapy",
    "person-centered-therapy",
    "internal-family-systems",
    "emotionally-focused-couples-therapy",
    "gottman-method",
    "mindfulness-based-cognitive-therapy",
)
# Genders as the index knows them (profile.gender); asked on their own, so the
# same words are left out of the identity list.
GENDER_CHOICES = (
    ("woman", _("A woman")),
    ("man", _("A man")),
    ("nonbinary", _("Nonbinary")),
)
# Not insurance carriers: they are not a network a therapist can be "in".
NOT_CARRIERS = frozenset({"out-of-network", "hsa-fsa"})

STEP_TITLES: dict[int, Any] = {
    1: _("Who is therapy for?"),
    2: _("What would you like help with?"),
    3: _("Where will you be during sessions?"),
    4: _("How will you pay?"),
    5: _("Anything that matters to you in a therapist?"),
    6: _("Do you have an approach in mind?"),
    7: _("Would you like a free first consultation?"),
    8: _("Check your answers"),
}
WORDS_TITLE = _("About what you shared")

WHO_CHOICES = (
    ("me", _("Me")),
    ("relationship", _("My relationship (couples therapy)")),
    ("family", _("My family")),
    ("child", _("My child")),
)
CHILD_AGE_CHOICES = (("child", _("Under 13")), ("teen", _("13 to 17")))
# Family therapy: whether children take part decides which ages the therapist
# must see (a family therapist who sees only adults is no help to a family
# with a seven-year-old). Each value is a `scoring.WHO` key.
FAMILY_CHILDREN_CHOICES = (
    ("family_child", _("Yes, a child under 13")),
    ("family_teen", _("Yes, teenagers (13 to 17), no one younger")),
    ("family_adults", _("No, only adults")),
)
WHO_LABELS = {
    "me": _("Me"),
    "relationship": _("My relationship"),
    "family": _("My family"),
    "family_child": _("My family, with a child under 13"),
    "family_teen": _("My family, with teenagers"),
    "family_adults": _("My family, adults only"),
    "child": _("My child, under 13"),
    "teen": _("My child, 13 to 17"),
}
MODE_CHOICES = (
    ("in_person", _("In person")),
    ("online", _("Online (video or phone)")),
    ("both", _("Either")),
)
PAYMENT_CHOICES = (
    ("insurance", _("With insurance")),
    ("self_pay", _("Paying myself")),
    ("sliding_scale", _("I need a sliding scale (a lower fee based on income)")),
)
IMPORTANCE_CHOICES = (("nice", _("Nice to have")), ("must", _("Must have")))
FAITH_CHOICES = (("faith", _("Faith-integrated therapy")), ("secular", _("Secular therapy")))
APPROACH_MODE_CHOICES = (
    ("unsure", _("Not sure, no preference")),
    ("chosen", _("I'd like one of these approaches")),
)
CONSULTATION_CHOICES = (
    ("", _("Doesn't matter")),
    ("nice", _("Nice to have")),
    ("must", _("Must have")),
)


# --- Taxonomy choices -------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    slug: str
    name: str
    summary: str = ""


def terms_of(kind: str) -> list[Term]:
    return list(
        Term.objects.active()
        .of_kind(kind)
        .only("slug", "name", "short_name", "group", "summary", "position")
        .order_by("position", "name")
    )


def grouped(terms: Iterable[Term]) -> list[tuple[str, list[Option]]]:
    groups: dict[str, list[Option]] = {}
    for term in terms:
        groups.setdefault(term.group or str(_("Other")), []).append(
            Option(term.slug, term.name, term.summary)
        )
    return list(groups.items())


def valid_slug(kind: str, slug: str | None) -> str:
    """The slug if it names an active term of that kind, else ''. For entry-point prefill."""
    if not slug or len(slug) > 80:
        return ""
    return slug if Term.objects.active().filter(kind=kind, slug=slug).exists() else ""


def term_name(kind: str, slug: str) -> str:
    return Term.objects.filter(kind=kind, slug=slug).values_list("name", flat=True).first() or ""


def labels(kinds: Iterable[str]) -> dict[tuple[str, str], str]:
    return {
        (kind, slug): name
        for kind, slug, name in Term.objects.filter(kind__in=list(kinds)).values_list(
            "kind", "slug", "name"
        )
    }


# --- Step forms -------------------------------------------------------------------------------


class StepForm(forms.Form):
    """One screen. `initial_for` reads the session state, `apply` writes it, `skip` clears it."""

    step: int = 0
    # Each step names its answers; Skip resets them to "not said".
    resets: dict[str, Any] = {}
    # Fields whose template shows a hint with the id "<auto_id>-hint".
    hints: tuple[str, ...] = ()
    # The place this screen resolved from the typed text (the place step only): the
    # request that submitted it passes it on rather than resolving the text again.
    place: LocationResult | None = None

    def __init__(self, *args: Any, state: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state = state or {}
        self.describe()

    def full_clean(self) -> None:
        super().full_clean()
        self.describe()

    def describe(self) -> None:
        """Tie each single input to its hint and its error (WCAG 3.3.1, 1.3.1).

        Radio and checkbox groups get theirs on the fieldset, in the template.
        """
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            auto_id = self[name].auto_id
            ids = [f"{auto_id}-hint"] if name in self.hints else []
            if self._errors and name in self._errors:
                ids.append(f"{auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def apply(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    @classmethod
    def skip(cls, data: dict[str, Any]) -> None:
        data["answers"].update(cls.resets)

    def apply_partial(self, data: dict[str, Any]) -> None:
        """Keep what can be kept when the person goes back from an invalid screen."""


class WhoForm(StepForm):
    step = 1
    resets = {"who": "me"}

    who = forms.ChoiceField(choices=WHO_CHOICES, required=False, widget=forms.RadioSelect)
    child_age = forms.ChoiceField(
        choices=CHILD_AGE_CHOICES, required=False, widget=forms.RadioSelect
    )
    family_children = forms.ChoiceField(
        choices=FAMILY_CHILDREN_CHOICES, required=False, widget=forms.RadioSelect
    )

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        who = data["answers"].get("who", "")
        if 1 not in data["answered"]:
            return {}
        if who in ("child", "teen"):
            return {"who": "child", "child_age": who}
        if who.startswith("family_"):
            return {"who": "family", "family_children": who}
        return {"who": who}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        who, age = cleaned.get("who"), cleaned.get("child_age")
        children = cleaned.get("family_children")
        if age and not who:
            who = "child"  # they answered the age question: it is for their child
        if children and not who:
            who = "family"  # they answered the family question
        if who == "family" and not children:
            self.add_error(
                "family_children",
                _(
                    "Say whether children will take part, so we show family therapists "
                    "who see their age group."
                ),
            )
        if who == "child" and not age:
            self.add_error(
                "child_age",
                _("Choose under 13 or 13 to 17, so we show therapists who see that age group."),
            )
        cleaned["who"] = who
        return cleaned

    def apply(self, data: dict[str, Any]) -> None:
        who = self.cleaned_data["who"] or "me"
        if who == "child":
            who = self.cleaned_data["child_age"]
        elif who == "family":
            who = self.cleaned_data["family_children"]
        data["answers"]["who"] = who


class IssuesForm(StepForm):
    step = 2
    resets = {"issues": []}
    hints = ("text",)

    issues = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    text = forms.CharField(
        required=False,
        max_length=MAX_FREE_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        label=_("In your own words (optional)"),
    )
    # The order the boxes were ticked in, kept by match.js: the first one chosen is
    # the main concern. Without JavaScript it holds the earlier answers' order.
    order = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms = terms_of(Kind.ISSUE)
        self.fields["issues"].choices = [(t.slug, t.name) for t in self.terms]

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        issues = list(data["answers"].get("issues", []))
        if 2 not in data["answered"] and not issues:
            prefill = data.get("prefill", {}).get("issue")
            issues = [prefill] if prefill else []
        return {"issues": issues, "text": data.get("free_text", ""), "order": ",".join(issues)}

    def clean_text(self) -> str:
        return self.cleaned_data.get("text", "").replace("\x00", "").strip()

    def ordered_issues(self) -> list[str]:
        checked = self.cleaned_data.get("issues") or []
        hinted = [s for s in (self.cleaned_data.get("order") or "").split(",") if s in checked]
        before = [s for s in self.state.get("answers", {}).get("issues", []) if s in checked]
        # Click order first (JS), then the order they had, then page order for new ones.
        return list(dict.fromkeys([*hinted, *before, *checked]))

    def apply(self, data: dict[str, Any]) -> None:
        data["answers"]["issues"] = self.ordered_issues()
        data["free_text"] = self.cleaned_data["text"]
        data["suggested"] = []
        data["words_done"] = False

    # Shown first as chips: the common ones and anything already chosen.
    def chip_options(self) -> list[Option]:
        chosen = set(self._chosen())
        by_slug = {t.slug: t for t in self.terms}
        first = [by_slug[s] for s in TOP_ISSUES if s in by_slug]
        extra = [t for t in self.terms if t.slug in chosen and t.slug not in TOP_ISSUES]
        return [Option(t.slug, t.name, t.summary) for t in [*first, *extra]]

    def more_groups(self) -> list[tuple[str, list[Option]]]:
        shown = {o.slug for o in self.chip_options()}
        return grouped(t for t in self.terms if t.slug not in shown)

    def _chosen(self) -> list[str]:
        if self.is_bound:
            return list(self.data.getlist("issues"))
        return list(self.initial.get("issues", []))

    def chosen(self) -> set[str]:
        return set(self._chosen())


class WordsForm(StepForm):
    """The free text's suggested issues, shown back to be kept or removed (step 2, part two)."""

    step = 2

    keep = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suggested = self.state.get("suggested", [])
        names = labels([Kind.ISSUE])
        self.fields["keep"].choices = [(s, names.get((Kind.ISSUE, s), s)) for s in suggested]

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        # Suggestions start ticked (removing one is a click); on a return visit the
        # boxes show what the person kept.
        suggested = list(data.get("suggested", []))
        if data.get("words_done"):
            issues = set(data["answers"].get("issues", []))
            return {"keep": [s for s in suggested if s in issues]}
        return {"keep": suggested}

    def apply(self, data: dict[str, Any]) -> None:
        suggested = data.get("suggested", [])
        kept = [s for s in suggested if s in self.cleaned_data["keep"]]
        issues = [s for s in data["answers"].get("issues", []) if s not in suggested]
        data["answers"]["issues"] = list(dict.fromkeys([*issues, *kept]))
        data["words_done"] = True


class WhereForm(StepForm):
    step = 3
    hints = ("location", "radius")

    location = forms.CharField(
        max_length=MAX_LOCATION,
        label=_("ZIP code, city or state"),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
        error_messages={
            "required": _(
                "Enter a ZIP code, a city and state, or a state. Therapists can only see "
                "people where they are licensed, so we need to know where you will be."
            )
        },
    )
    mode = forms.ChoiceField(choices=MODE_CHOICES, initial="both", widget=forms.RadioSelect)
    radius = forms.TypedChoiceField(
        choices=[(r, _("%(miles)d miles") % {"miles": r}) for r in RADII],
        coerce=int,
        initial=DEFAULT_RADIUS,
        label=_("How far can you travel for in-person sessions?"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions: list[str] = []
        if self.is_bound:
            # "Did you mean" buttons send the place they name as `pick`.
            pick = self.data.get("pick", "")
            if pick:
                data = self.data.copy()
                data["location"] = pick[:MAX_LOCATION]
                self.data = data

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        answers = data["answers"]
        return {
            "location": answers.get("location", ""),
            "mode": answers.get("mode", "both"),
            "radius": answers.get("radius", DEFAULT_RADIUS),
        }

    @classmethod
    def of_answers(cls, data: Mapping[str, Any]) -> WhereForm:
        """The saved place as if just submitted: validating it shows why it cannot be found."""
        initial = cls.initial_for(data)
        return cls(
            {
                "location": initial["location"],
                "mode": initial["mode"],
                "radius": str(initial["radius"]),
            },
            state=data,
        )

    def clean_location(self) -> str:
        text = " ".join(self.cleaned_data["location"].split())
        self.place = resolve_location(text)
        if self.place.location is None:
            self.suggestions = [s.label for s in self.place.suggestions[:MAX_SUGGESTIONS]]
            raise forms.ValidationError(
                self.place.problem or _("Enter a ZIP code, a city and state, or a state.")
            )
        return text

    def apply(self, data: dict[str, Any]) -> None:
        data["answers"].update(
            {
                "location": self.cleaned_data["location"],
                "mode": self.cleaned_data["mode"],
                "radius": self.cleaned_data["radius"],
            }
        )

    def apply_partial(self, data: dict[str, Any]) -> None:
        # Going back with a place we could not find keeps the words they typed.
        text = " ".join(str(self.data.get("location", "")).split())[:MAX_LOCATION]
        if text:
            data["answers"]["location"] = text

    @classmethod
    def skip(cls, data: dict[str, Any]) -> None:  # pragma: no cover - the view refuses it
        raise ValueError("the place cannot be skipped")


class PayForm(StepForm):
    step = 4
    resets = {"payment": "", "insurance": "", "budget": None}
    hints = ("plan_name", "budget")

    payment = forms.ChoiceField(choices=PAYMENT_CHOICES, required=False, widget=forms.RadioSelect)
    insurance = forms.ChoiceField(choices=(), required=False, label=_("Insurance company"))
    plan_name = forms.CharField(
        required=False,
        max_length=MAX_PLAN,
        label=_("Plan name (optional)"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    budget = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_BUDGET,
        label=_("Most you can pay per session, in dollars (optional)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        carriers = [t for t in terms_of(Kind.INSURANCE) if t.slug not in NOT_CARRIERS]
        self.fields["insurance"].choices = [
            ("", _("Choose your insurance company")),
            *[(group, [(o.slug, o.name) for o in options]) for group, options in grouped(carriers)],
        ]

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        answers = data["answers"]
        return {
            "payment": answers.get("payment", ""),
            "insurance": answers.get("insurance", ""),
            "budget": answers.get("budget"),
            "plan_name": data.get("plan_name", ""),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        payment = cleaned.get("payment") or ""
        if not payment and cleaned.get("insurance"):
            payment = "insurance"
        elif not payment and cleaned.get("budget") is not None:
            payment = "self_pay"
        if (
            payment == "insurance"
            and not cleaned.get("insurance")
            and "insurance" not in self.errors
        ):
            self.add_error(
                "insurance",
                _("Choose your insurance company, or choose another way to pay."),
            )
        cleaned["payment"] = payment
        return cleaned

    def apply(self, data: dict[str, Any]) -> None:
        payment = self.cleaned_data["payment"]
        data["answers"].update(
            {
                "payment": payment,
                "insurance": self.cleaned_data["insurance"] if payment == "insurance" else "",
                "budget": self.cleaned_data["budget"] if payment == "self_pay" else None,
            }
        )
        # Kept for the person's own review only: not used for matching, never saved.
        data["plan_name"] = self.cleaned_data["plan_name"].strip() if payment == "insurance" else ""

    @classmethod
    def skip(cls, data: dict[str, Any]) -> None:
        super().skip(data)
        data["plan_name"] = ""


# (field name, preference kind, taxonomy kind or None, legend)
PREFERENCE_FIELDS: tuple[tuple[str, str, str | None, Any], ...] = (
    ("gender", "gender", None, _("Therapist's gender")),
    ("identity", "identity", Kind.IDENTITY, _("Therapist's identity or lived experience")),
    ("community", "community", Kind.COMMUNITY, _("Experience with a community")),
    ("language", "language", Kind.LANGUAGE, _("Language for sessions")),
    ("faith", "faith", None, _("Faith-integrated or secular")),
)


class PrefsForm(StepForm):
    step = 5
    resets = {"preferences": []}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        genders = {slug for slug, _label in GENDER_CHOICES}
        faith = set(FAITH_SLUGS.values())
        for name, _kind, kind, legend in PREFERENCE_FIELDS:
            if name == "gender":
                choices: list[Any] = list(GENDER_CHOICES)
            elif name == "faith":
                choices = list(FAITH_CHOICES)
            else:
                assert kind is not None
                terms = terms_of(kind)
                if name == "identity":
                    terms = [t for t in terms if t.slug not in genders]
                elif name == "community":
                    terms = [t for t in terms if t.slug not in faith]
                choices = [
                    (group, [(o.slug, o.name) for o in options])
                    for group, options in grouped(terms)
                ]
            self.fields[name] = forms.ChoiceField(
                choices=[("", _("No preference")), *choices],
                required=False,
                label=legend,
                # Named by its fieldset's legend, which the template gives this id.
                widget=forms.Select(attrs={"aria-labelledby": f"pref-{name}-legend"}),
            )
            self.fields[f"{name}_importance"] = forms.ChoiceField(
                choices=IMPORTANCE_CHOICES,
                required=False,
                initial="nice",
                widget=forms.RadioSelect,
                label=_("How important is it?"),
            )

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for pref in data["answers"].get("preferences", []):
            initial[pref["kind"]] = pref["value"]
            initial[f"{pref['kind']}_importance"] = "must" if pref.get("must") else "nice"
        return initial

    def apply(self, data: dict[str, Any]) -> None:
        preferences = []
        for name, kind, _taxonomy, _legend in PREFERENCE_FIELDS:
            value = self.cleaned_data.get(name)
            if value:
                must = self.cleaned_data.get(f"{name}_importance") == "must"
                preferences.append({"kind": kind, "value": value, "must": must})
        data["answers"]["preferences"] = preferences

    def groups(self) -> list[dict[str, Any]]:
        """The five questions with their fields, for the template."""
        return [
            {
                "name": name,
                "legend": legend,
                "field": self[name],
                "importance": self[f"{name}_importance"],
            }
            for name, _kind, _taxonomy, legend in PREFERENCE_FIELDS
        ]


class ApproachForm(StepForm):
    step = 6
    resets = {"approaches": []}

    approach_mode = forms.ChoiceField(
        choices=APPROACH_MODE_CHOICES, required=False, initial="unsure", widget=forms.RadioSelect
    )
    approaches = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms = terms_of(Kind.APPROACH)
        self.fields["approaches"].choices = [(t.slug, t.name) for t in self.terms]

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        approaches = list(data["answers"].get("approaches", []))
        if 6 not in data["answered"] and not approaches:
            prefill = data.get("prefill", {}).get("approach")
            approaches = [prefill] if prefill else []
        return {"approach_mode": "chosen" if approaches else "unsure", "approaches": approaches}

    def apply(self, data: dict[str, Any]) -> None:
        # Ticking an approach says "I have one in mind" even if the radio was left alone;
        # "chosen" with nothing ticked is the same as not sure.
        data["answers"]["approaches"] = list(self.cleaned_data.get("approaches") or [])

    def _chosen(self) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist("approaches"))
        return set(self.initial.get("approaches", []))

    def first_options(self) -> list[Option]:
        chosen = self._chosen()
        by_slug = {t.slug: t for t in self.terms}
        picked = [by_slug[s] for s in by_slug if s in chosen and s not in COMMON_APPROACHES]
        common = [by_slug[s] for s in COMMON_APPROACHES if s in by_slug]
        return [Option(t.slug, t.name, t.summary) for t in [*picked, *common]]

    def more_groups(self) -> list[tuple[str, list[Option]]]:
        shown = {o.slug for o in self.first_options()}
        return grouped(t for t in self.terms if t.slug not in shown)

    def chosen(self) -> set[str]:
        return self._chosen()


class PracticalForm(StepForm):
    step = 7
    resets = {"free_consultation": ""}

    free_consultation = forms.ChoiceField(
        choices=CONSULTATION_CHOICES, required=False, initial="", widget=forms.RadioSelect
    )

    @classmethod
    def initial_for(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"free_consultation": data["answers"].get("free_consultation", "")}

    def apply(self, data: dict[str, Any]) -> None:
        data["answers"]["free_consultation"] = self.cleaned_data["free_consultation"]


STEP_FORMS: dict[int, type[StepForm]] = {
    1: WhoForm,
    2: IssuesForm,
    3: WhereForm,
    4: PayForm,
    5: PrefsForm,
    6: ApproachForm,
    7: PracticalForm,
}
