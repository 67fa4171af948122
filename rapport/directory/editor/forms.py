"""The editor's forms, one per section: the validation layer between what a therapist
types and the interchange document the services write.

Each field is checked with the importer's own rules (`directory/validators.py`),
wrapped so the message names the field ("Name is required"); the services then run
the whole document through `interchange.clean_document`, so the editor can never
write what an import would refuse. `initial_from(document)` reads a profile's
interchange document into the form; `to_document()` gives back this section's part.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rapport.core.states import STATES
from rapport.taxonomy.models import Kind, Term

from .. import validators as v
from ..interchange import GENDERS
from ..models import LicenseStatus, cached_terms

STATEMENT_LIMIT = 1500
ABOUT_LIMIT = 5000
MAX_ROWS = 20  # licenses or offices a form takes: "Add another" stops here, a crafted post too
TOP_SHOWN = 8  # a picker's most-used options shown before its groups, like the search filters
STATE_CHOICES = [("", _("Choose a state"))] + [(code, name) for code, name in STATES.items()]


def _checked(fn: Callable[..., Any], value: object, label: object, **kwargs: Any) -> Any:
    """A validator's answer, or its message as a form error that names the field."""
    try:
        return fn(value, **kwargs)
    except v.FieldError as error:
        raise ValidationError(f"{label} {error.message}") from None


def active_terms(kind: str) -> list[Term]:
    """The active terms of a kind in taxonomy order, from the process-wide term cache."""
    terms = [t for t in cached_terms().values() if t.kind == kind and t.is_active]
    return sorted(terms, key=lambda t: (t.position, t.name))


# --- Taxonomy pickers --------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    checked: bool
    filter_text: str


@dataclass
class Picker:
    """What the template needs for one picker: chosen and most-used first, then the groups."""

    name: str
    legend: str
    hint: str
    top: list[Option]
    groups: list[tuple[str, list[Option]]] = field(default_factory=list)
    chosen: int = 0


class TermPickerField(forms.MultipleChoiceField):
    """Slugs of one taxonomy kind; rendered by the picker template, not a widget."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("required", False)
        super().__init__(choices=(), **kwargs)

    def load_choices(self) -> None:
        self.terms = active_terms(self.kind)
        self.pairs: list[tuple[str, str]] = [(t.slug, t.name) for t in self.terms]
        self.choices = self.pairs


def _picker_options(
    field: forms.BoundField, counts: dict[str, int] | None, pairs: Iterable[tuple[str, str, str]]
) -> Picker:
    """pairs: (value, label, group). Chosen options first, then the TOP_SHOWN most used
    (by published profiles), then every other option under its group."""
    raw = field.value() or []
    selected = {str(value) for value in (raw if isinstance(raw, list | tuple) else [raw])}
    options = [
        (Option(value, label, value in selected, f"{label} {value}".lower()), group)
        for value, label, group in pairs
    ]
    top = [option for option, _g in options if option.checked]
    if counts:
        ranked = sorted(
            (o for o, _g in options if not o.checked and counts.get(o.value)),
            key=lambda o: -counts.get(o.value, 0),
        )
        top += ranked[:TOP_SHOWN]
    in_top = {o.value for o in top}
    groups: dict[str, list[Option]] = {}
    for option, group in options:
        if option.value not in in_top:
            groups.setdefault(group, []).append(option)
    return Picker(
        name=field.html_name,
        legend=str(field.label),
        hint=str(field.help_text),
        top=top,
        groups=list(groups.items()),
        chosen=len(selected),
    )


def term_picker(field: forms.BoundField, counts: dict[str, int] | None) -> Picker:
    terms: list[Term] = getattr(field.field, "terms", [])
    pairs = [(t.slug, t.name, t.group or str(_("Other"))) for t in terms]
    return _picker_options(field, counts, pairs)


def state_picker(field: forms.BoundField) -> Picker:
    return _picker_options(field, None, [(c, n, str(_("States"))) for c, n in STATES.items()])


# --- The section forms -------------------------------------------------------------------


class SectionForm(forms.Form):
    """One editor section. Subclasses declare fields, `initial_from` and `to_document`."""

    # Fields rendered as taxonomy pickers, in order.
    pickers: ClassVar[tuple[str, ...]] = ()
    use_required_attribute = False  # our messages, not the browser's

    def __init__(self, data: Any = None, *, document: dict[str, Any], **kwargs: Any) -> None:
        self.document = document
        super().__init__(data, initial=self.initial_from(document), **kwargs)
        for form_field in self.fields.values():
            if isinstance(form_field, TermPickerField):
                form_field.load_choices()
        self.formsets: list[RowFormSet] = self.build_formsets(data)

    def build_formsets(self, data: Any) -> list[RowFormSet]:
        return []

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        return {}

    def to_document(self) -> dict[str, Any]:
        raise NotImplementedError

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for formset in self.formsets:
            valid = formset.is_valid() and valid
        return valid

    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the summary at the top of the page."""
        links: list[tuple[str, str]] = []
        for error in self.non_field_errors():
            links.append(("", str(error)))
        for bound in self:
            for error in bound.errors:
                links.append((field_anchor(bound), str(error)))
        for formset in self.formsets:
            for error in formset.non_form_errors():
                links.append(("", str(error)))
            for number, form in enumerate(formset.forms, start=1):
                for bound in form:
                    for error in bound.errors:
                        links.append((field_anchor(bound), f"{formset.row_noun} {number}: {error}"))
        return links


def field_anchor(bound: forms.BoundField) -> str:
    """The id a summary link jumps to: a picker's first checkbox has no id of its own."""
    if isinstance(bound.field, TermPickerField | StatePickerField):
        return f"picker-{bound.html_name}"
    return bound.id_for_label or bound.auto_id


class StatePickerField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=list(STATES.items()), **kwargs)


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=False, **kwargs)


class BasicsForm(SectionForm):
    name = _text(_("Name"), help_text=_("As clients will see it, for example “Jordan Rivera”."))
    credentials = _text(
        _("Credentials"), help_text=_("Letters after your name, for example “MA, LMHC”.")
    )
    title = _text(
        _("Professional title"), help_text=_("For example “Licensed Mental Health Counselor”.")
    )
    pronouns = _text(_("Pronouns"), help_text=_("Optional, for example “she/her”."))
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("", _("Not shown")), ("woman", _("Woman")), ("man", _("Man")),
            ("nonbinary", _("Nonbinary")), ("self", _("In my own words")),
        ],
        help_text=_("Optional. Some clients search for a therapist of a particular gender."),
    )  # fmt: skip
    gender_self = _text(
        _("Gender in your own words"), help_text=_("Used when you choose “In my own words”.")
    )
    identities = TermPickerField(
        Kind.IDENTITY,
        label=_("Identities you choose to share"),
        help_text=_("Optional. Clients can look for a therapist who shares part of who they are."),
    )
    pickers = ("identities",)

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        gender = document.get("gender", "")
        known = gender in GENDERS or not gender
        return {
            "name": document.get("name", ""),
            "credentials": document.get("credentials", ""),
            "title": document.get("title", ""),
            "pronouns": document.get("pronouns", ""),
            "gender": gender if known else "self",
            "gender_self": "" if known else gender,
            "identities": document.get("identities", []),
        }

    def clean_name(self) -> str:
        return str(
            _checked(v.text, self.cleaned_data["name"], _("Name"), max_length=120, required=True)
        )

    def clean_credentials(self) -> str:
        return str(
            _checked(v.text, self.cleaned_data["credentials"], _("Credentials"), max_length=60)
        )

    def clean_title(self) -> str:
        return str(
            _checked(v.text, self.cleaned_data["title"], _("Professional title"), max_length=120)
        )

    def clean_pronouns(self) -> str:
        return str(_checked(v.text, self.cleaned_data["pronouns"], _("Pronouns"), max_length=30))

    def clean_gender_self(self) -> str:
        label = _("Gender in your own words")
        return str(_checked(v.text, self.cleaned_data["gender_self"], label, max_length=40))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("gender") == "self"
            and not data.get("gender_self")
            and "gender_self" not in self.errors
        ):
            self.add_error(
                "gender_self",
                _("Gender in your own words is empty: write it, or choose another option."),
            )
        return data

    def to_document(self) -> dict[str, Any]:
        data = self.cleaned_data
        gender = data["gender_self"] if data["gender"] == "self" else data["gender"]
        return {
            "name": data["name"],
            "credentials": data["credentials"],
            "title": data["title"],
            "pronouns": data["pronouns"],
            "gender": gender,
            "identities": list(data["identities"]),
        }


# --- Licenses --------------------------------------------------------------------------------


class RowFormSet(forms.BaseFormSet):
    """Rows added by posting back ("Add another") and removed with a checkbox; a row left
    blank is skipped, never an error, whether it was there before or just added."""

    row_noun: Any = ""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        kwargs["empty_permitted"] = True
        kwargs["use_required_attribute"] = False
        return super()._construct_form(i, **kwargs)  # type: ignore[misc]  # private in the stubs

    def kept_rows(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]


def license_type_choices() -> list[tuple[str, Any]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for term in active_terms(Kind.LICENSE_TYPE):
        label = f"{term.name} ({term.short_name})" if term.short_name else term.name
        groups.setdefault(term.group or str(_("Other")), []).append((term.slug, label))
    return [("", _("Choose a license type")), *groups.items()]


def license_type_slug(label: str) -> str:
    """The slug of a licence type from what a document says ("LMHC", "lmhc", its name)."""
    key = "".join(c for c in label.lower() if c.isalnum())
    for term in active_terms(Kind.LICENSE_TYPE):
        for name in (term.slug, term.short_name, term.name, *(term.aliases or [])):
            if name and "".join(c for c in name.lower() if c.isalnum()) == key:
                return term.slug
    return ""


class LicenseForm(forms.Form):
    type = forms.ChoiceField(label=_("License type"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    number = _text(_("License number"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=LicenseStatus.choices,
        initial=LicenseStatus.LICENSED,
    )
    supervisor = _text(
        _("Supervisor"), help_text=_("For an associate or student license: your supervisor's name.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = license_type_choices()  # type: ignore[attr-defined]

    def clean_number(self) -> str:
        return str(
            _checked(v.text, self.cleaned_data["number"], _("License number"), max_length=40)
        )

    def clean_supervisor(self) -> str:
        return str(
            _checked(v.text, self.cleaned_data["supervisor"], _("Supervisor"), max_length=120)
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("type") and "type" not in self.errors:
            self.add_error("type", _("License type is required: choose one from the list."))
        if not data.get("state") and "state" not in self.errors:
            self.add_error("state", _("State is required: the state that issued the license."))
        return data


class LicenseFormSet(RowFormSet):
    row_noun = _("License")


class LicensesForm(SectionForm):
    npi = _text(
        _("NPI number"),
        help_text=_(
            "Optional: your 10-digit National Provider Identifier. Not shown on your profile."
        ),
    )

    def build_formsets(self, data: Any) -> list[RowFormSet]:
        factory = forms.formset_factory(
            LicenseForm,
            formset=LicenseFormSet,
            extra=0,
            can_delete=True,
            max_num=MAX_ROWS,
            absolute_max=MAX_ROWS,
        )
        rows = [
            {
                "type": license_type_slug(str(lic.get("type", ""))),
                "state": lic.get("state", ""),
                "number": lic.get("number", ""),
                "status": lic.get("status", LicenseStatus.LICENSED),
                "supervisor": lic.get("supervisor", ""),
            }
            for lic in self.document.get("licenses", [])
        ] or [{}]
        self.licenses = cast(type[RowFormSet], factory)(
            data, initial=None if data is not None else rows, prefix="licenses"
        )
        return [self.licenses]

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        return {"npi": document.get("npi", "")}

    def clean_npi(self) -> str:
        return str(_checked(v.npi, self.cleaned_data["npi"], _("NPI number")))

    def to_document(self) -> dict[str, Any]:
        licenses = [
            {
                key: row[key]
                for key in ("type", "state", "number", "status", "supervisor")
                if row.get(key)
            }
            for row in self.licenses.kept_rows()
        ]
        return {"licenses": licenses, "npi": self.cleaned_data["npi"]}


# --- Practice, fees and insurance ------------------------------------------------------------


class OfficeForm(forms.Form):
    address = _text(_("Street address"))
    city = _text(_("City"))
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    zip = _text(_("ZIP code"))

    def clean_address(self) -> str:
        return str(
            _checked(v.text, self.cleaned_data["address"], _("Street address"), max_length=200)
        )

    def clean_city(self) -> str:
        return str(_checked(v.text, self.cleaned_data["city"], _("City"), max_length=80))

    def clean_zip(self) -> str:
        return str(_checked(v.zip_code, self.cleaned_data["zip"], _("ZIP code")))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.has_changed() and not (data.get("city") or data.get("zip")) and not self.errors:
            self.add_error(
                "city", _("City or ZIP code is required, so clients nearby can find the office.")
            )
        return data


class OfficeFormSet(RowFormSet):
    row_noun = _("Office")


def _dollars(value: object, label: object) -> int | None:
    result = _checked(v.whole_dollars, value, label)
    return int(result) if result is not None else None


class PracticeForm(SectionForm):
    in_person = forms.BooleanField(label=_("I see clients in person"), required=False)
    telehealth = forms.BooleanField(label=_("I see clients online (telehealth)"), required=False)
    telehealth_states = StatePickerField(
        label=_("States where you see clients online"),
        help_text=_("If you leave these empty, the states of your licenses are used."),
    )
    fee_min = _text(
        _("Lowest fee per session (US dollars)"), help_text=_("Whole dollars, for example 90.")
    )
    fee_max = _text(
        _("Highest fee per session (US dollars)"), help_text=_("Whole dollars, for example 150.")
    )
    sliding_scale = forms.BooleanField(label=_("I offer a sliding scale"), required=False)
    free_consultation = forms.BooleanField(
        label=_("I offer a free first consultation"), required=False
    )
    insurance = TermPickerField(
        Kind.INSURANCE, label=_("Insurance you take"), help_text=_("Leave empty if you take none.")
    )
    pickers = ("insurance",)

    def build_formsets(self, data: Any) -> list[RowFormSet]:
        factory = forms.formset_factory(
            OfficeForm,
            formset=OfficeFormSet,
            extra=0,
            can_delete=True,
            max_num=MAX_ROWS,
            absolute_max=MAX_ROWS,
        )
        rows = [
            {key: office.get(key, "") for key in ("address", "city", "state", "zip")}
            for office in self.document.get("offices", [])
        ] or [{}]
        self.offices = cast(type[RowFormSet], factory)(
            data, initial=None if data is not None else rows, prefix="offices"
        )
        return [self.offices]

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        fees = document.get("fees", {})
        return {
            "in_person": document.get("in_person", False),
            "telehealth": document.get("telehealth", False),
            "telehealth_states": document.get("telehealth_states", []),
            "fee_min": fees.get("min", ""),
            "fee_max": fees.get("max", ""),
            "sliding_scale": fees.get("sliding_scale", False),
            "free_consultation": fees.get("free_consultation", False),
            "insurance": document.get("insurance", []),
        }

    def clean_fee_min(self) -> int | None:
        return _dollars(self.cleaned_data["fee_min"], _("Lowest fee"))

    def clean_fee_max(self) -> int | None:
        return _dollars(self.cleaned_data["fee_max"], _("Highest fee"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("fee_min"), data.get("fee_max")
        if low is not None and high is not None and low > high:
            self.add_error("fee_max", _("Highest fee is less than the lowest fee."))
        return data

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        if self.cleaned_data["in_person"] and not any(
            row.get("city") or row.get("zip") for row in self.offices.kept_rows()
        ):
            self.add_error(
                "in_person",
                _("Add an office with a city or ZIP code, or untick “I see clients in person”."),
            )
            return False
        return True

    def to_document(self) -> dict[str, Any]:
        data = self.cleaned_data
        offices = [
            {key: row[key] for key in ("address", "city", "state", "zip") if row.get(key)}
            for row in self.offices.kept_rows()
        ]
        # An office whose address is unchanged keeps the exact point it came with.
        before = self.document.get("offices", [])
        for i, office in enumerate(offices):
            if i < len(before):
                old = before[i]
                same = all(
                    old.get(k, "") == office.get(k, "") for k in ("address", "city", "state", "zip")
                )
                if same and "lat" in old:
                    office.update(lat=old["lat"], lon=old["lon"])
        fees = {
            "min": data["fee_min"],
            "max": data["fee_max"],
            "sliding_scale": data["sliding_scale"],
            "free_consultation": data["free_consultation"],
        }
        return {
            "offices": offices,
            "in_person": data["in_person"],
            "telehealth": data["telehealth"],
            "telehealth_states": list(data["telehealth_states"]),
            "fees": {k: val for k, val in fees.items() if val not in (None, False)},
            "insurance": list(data["insurance"]),
        }


# --- Who I see -----------------------------------------------------------------------------


class ClientsForm(SectionForm):
    ages = TermPickerField(Kind.AGE, label=_("Ages"))
    issues = TermPickerField(
        Kind.ISSUE,
        label=_("What you help with"),
        help_text=_("Your specialties: the concerns clients search for."),
    )
    communities = TermPickerField(Kind.COMMUNITY, label=_("Communities you serve"))
    languages = TermPickerField(
        Kind.LANGUAGE,
        label=_("Languages you offer therapy in"),
        help_text=_("If you tick none, English is assumed."),
    )
    formats = TermPickerField(Kind.FORMAT, label=_("Session formats"))
    pickers = ("ages", "issues", "communities", "languages", "formats")

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        return {key: document.get(key, []) for key in cls.pickers}

    def to_document(self) -> dict[str, Any]:
        return {key: list(self.cleaned_data[key]) for key in self.pickers}


# --- Approaches and statements ---------------------------------------------------------------


def statement_field_name(slug: str) -> str:
    return f"statement_{slug}"


class ApproachesForm(SectionForm):
    approaches = TermPickerField(
        Kind.APPROACH,
        label=_("Approaches you practice"),
        help_text=_("Tick each approach you practice; each gets a statement box below."),
    )
    pickers = ("approaches",)

    def __init__(self, data: Any = None, *, document: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(data, document=document, **kwargs)
        picker = self.fields["approaches"]
        assert isinstance(picker, TermPickerField)
        known = {slug for slug, _label in picker.pairs}
        names = dict(picker.pairs)
        if data is not None:
            chosen = [s for s in dict.fromkeys(data.getlist("approaches")) if s in known]
        else:
            chosen = [a["slug"] for a in document.get("approaches", []) if a["slug"] in known]
        # The statements keep the order the therapist gave them; new ones follow in taxonomy order.
        earlier = [a["slug"] for a in document.get("approaches", [])]
        rank = {slug: i for i, (slug, _label) in enumerate(picker.pairs)}
        chosen.sort(key=lambda s: (earlier.index(s) if s in earlier else len(earlier), rank[s]))
        self.chosen = chosen
        statements = {a["slug"]: a.get("statement", "") for a in document.get("approaches", [])}
        for slug in chosen:
            self.fields[statement_field_name(slug)] = forms.CharField(
                label=_("How you practice %(name)s") % {"name": names[slug]},
                required=False,
                strip=False,
                # With htmx the preview below follows the typing (views.profile_preview).
                widget=forms.Textarea(
                    attrs={
                        "rows": 6,
                        "hx-post": reverse("account:profile_preview"),
                        "hx-trigger": "keyup changed delay:500ms",
                        "hx-target": f"#preview-{slug}",
                        "hx-swap": "innerHTML",
                        "hx-vals": json.dumps({"approach": slug}),
                    }
                ),
                initial=statements.get(slug, ""),
                help_text=_(
                    "Up to %(limit)s characters, in your own words. Shown on the approach's page."
                )
                % {"limit": f"{STATEMENT_LIMIT:,}"},
            )

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        return {"approaches": [a["slug"] for a in document.get("approaches", [])]}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for slug in self.chosen:
            name = statement_field_name(slug)
            if name in data:
                try:
                    data[name] = _checked(
                        v.text,
                        data[name],
                        self.fields[name].label,
                        max_length=STATEMENT_LIMIT,
                        multiline=True,
                    )
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def statement_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(slug, self[statement_field_name(slug)]) for slug in self.chosen]

    def to_document(self) -> dict[str, Any]:
        approaches = []
        for slug in self.chosen:
            statement = self.cleaned_data.get(statement_field_name(slug), "")
            approaches.append({"slug": slug, **({"statement": statement} if statement else {})})
        return {"approaches": approaches}


# --- About me, contact ---------------------------------------------------------------------


class AboutForm(SectionForm):
    statement = _text(
        _("About me"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Up to %(limit)s characters. Leave a blank line between paragraphs.")
        % {"limit": f"{ABOUT_LIMIT:,}"},
    )

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        return {"statement": document.get("statement", "")}

    def clean_statement(self) -> str:
        return str(
            _checked(
                v.text,
                self.cleaned_data["statement"],
                _("About me"),
                max_length=ABOUT_LIMIT,
                multiline=True,
            )
        )

    def to_document(self) -> dict[str, Any]:
        return {"statement": self.cleaned_data["statement"]}


class ContactForm(SectionForm):
    email = _text(
        _("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Private: never shown on the site. We use it to reach you about your profile."),
    )
    phone = _text(
        _("Phone"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        help_text=_("Shown on your profile."),
    )
    website = _text(
        _("Website"),
        widget=forms.TextInput(attrs={"autocomplete": "url", "inputmode": "url"}),
        help_text=_("Shown on your profile, for example “example.com”."),
    )

    @classmethod
    def initial_from(cls, document: dict[str, Any]) -> dict[str, Any]:
        return {key: document.get(key, "") for key in ("email", "phone", "website")}

    def clean_email(self) -> str:
        return str(_checked(v.email, self.cleaned_data["email"], _("Email")))

    def clean_phone(self) -> str:
        return str(_checked(v.phone, self.cleaned_data["phone"], _("Phone")))

    def clean_website(self) -> str:
        return str(_checked(v.website, self.cleaned_data["website"], _("Website")))

    def to_document(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in ("email", "phone", "website")}


FORMS: dict[str, type[SectionForm]] = {
    "basics": BasicsForm,
    "licenses": LicensesForm,
    "practice": PracticeForm,
    "clients": ClientsForm,
    "approaches": ApproachesForm,
    "about": AboutForm,
    "contact": ContactForm,
}


class CreateProfileForm(forms.Form):
    use_required_attribute = False
    name = _text(_("Your name as clients will see it"), help_text=_("You can change it later."))

    def clean_name(self) -> str:
        return str(
            _checked(v.text, self.cleaned_data["name"], _("Name"), max_length=120, required=True)
        )

    def error_links(self) -> list[tuple[str, str]]:
        return (
            [(self["name"].auto_id, str(error)) for error in self["name"].errors]
            if self.is_bound
            else []
        )
