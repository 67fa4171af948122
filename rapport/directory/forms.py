"""Reading a search URL into a `SearchQuery`: every parameter on its own, never an error page.

A search URL is something people share, bookmark and hand-edit, and links
from older versions of the site keep arriving. So one bad parameter must not
spoil the rest: each is checked independently, a bad value falls back to its
default, and the person is told in plain words (`form.notes`) what was
ignored. Nothing here can raise for user input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import index as ix
from . import search as engine
from .facets import FACETS

MAX_TEXT = 200
MAX_LOCATION = 100
MAX_FEE = 10_000
# More choices than any facet offers in one search; caps the work a crafted URL can cause.
MAX_VALUES = 60
TRUE_VALUES = frozenset({"1", "on", "true", "yes"})
FALSE_VALUES = frozenset({"", "0", "off", "false", "no"})

# URL parameter -> SearchQuery field for the multi-select facets (the facet table's: "gender"
# reads better in a URL than "genders"; everything else has the same name in both).
MULTI_PARAMS: dict[str, str] = {facet.param: facet.field for facet in FACETS}
KNOWN_PARAMS = frozenset(
    {"q", "location", "radius", "mode", "max_fee", "accepting", "sort", "page"}
    | set(MULTI_PARAMS)
    | set(engine.BOOL_FILTERS)
)


def _shown(value: str, limit: int = 40) -> str:
    """A user-supplied value as quoted back in a note: short, on one line."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _listed(values: list[str], limit: int = 5) -> str:
    shown = ", ".join(f"“{_shown(v)}”" for v in values[:limit])
    if len(values) > limit:
        shown += " " + _("and %(count)d more") % {"count": len(values) - limit}
    return shown


def _cut_at_word(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    head = cut.rsplit(None, 1)[0] if " " in cut.strip() else cut[:limit]
    return head[:limit].rstrip()


class FlagField(forms.Field):
    """A checkbox-style flag: '1', 'on', 'true' are on; '', '0', 'off', 'false' are off."""

    def to_python(self, value: Any) -> bool:
        text = str(value or "").strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError("not a flag", code="invalid")


class SearchForm(forms.Form):
    """`SearchForm(request.GET)`: `.to_query()` and `.notes` (what was ignored, and why).

    The declared fields check the single-valued parameters; the multi-valued
    facets and the accepting flag (sent twice by the page's checkbox, see
    `_accepting`) are read with `getlist` in `clean()`.
    """

    q = forms.CharField(required=False, strip=True)
    location = forms.CharField(required=False, strip=True)
    radius = forms.TypedChoiceField(
        required=False, coerce=int, choices=[(str(r), str(r)) for r in engine.RADII]
    )
    mode = forms.ChoiceField(required=False, choices=[(m, m) for m in engine.MODES])
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in engine.SORTS])
    max_fee = forms.IntegerField(required=False, min_value=0, max_value=MAX_FEE)
    page = forms.IntegerField(required=False, min_value=1)
    sliding_scale = FlagField(required=False)
    free_consultation = FlagField(required=False)
    verified = FlagField(required=False)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        state: ix.IndexState | None = None,
        **kwargs: Any,
    ) -> None:
        if data is not None and not isinstance(data, QueryDict):
            query_dict = QueryDict(mutable=True)
            for key, value in data.items():
                for item in value if isinstance(value, list | tuple) else [value]:
                    query_dict.appendlist(key, str(item))
            data = query_dict
        super().__init__(data if data is not None else QueryDict(), **kwargs)
        self._state = state
        self.notes: list[str] = []
        self._query: engine.SearchQuery | None = None
        self.page_asked = 1  # the page number in the URL, before the cap at MAX_PAGE

    # --- helpers -----------------------------------------------------------------------

    def _known_values(self) -> dict[str, set[str]]:
        """Valid slugs per URL parameter, from the taxonomy as the index sees it (no query)."""
        by_kind = engine.term_dictionary(self._state or ix.get_index()).slugs_by_kind
        return {
            facet.param: set(by_kind.get(facet.kind, frozenset()))
            if facet.kind
            else {value for value, _label in facet.choices}
            for facet in FACETS
        }

    def _value(self, name: str) -> str:
        # The last value wins for single-valued parameters, as in QueryDict.__getitem__.
        return self.data.get(name, "")

    # --- single-valued fields: clean_<name> keeps Django's per-field error handling ---

    def clean_q(self) -> str:
        text = self.cleaned_data.get("q", "").replace("\x00", "")
        if len(text) > MAX_TEXT:
            self.notes.append(
                _("Your search words were shortened to %(count)d characters.") % {"count": MAX_TEXT}
            )
            text = _cut_at_word(text, MAX_TEXT)
        return text

    def clean_location(self) -> str:
        text = self.cleaned_data.get("location", "").replace("\x00", "")
        if len(text) > MAX_LOCATION:
            self.notes.append(
                _("The place was shortened to %(count)d characters.") % {"count": MAX_LOCATION}
            )
            text = _cut_at_word(text, MAX_LOCATION)
        return text

    def _fallbacks(self) -> None:
        """Each invalid single-valued parameter: its default, and a note saying so."""
        messages = {
            "q": lambda v: _("We could not read your search words, so we left them out."),
            "location": lambda v: _("We could not read the place, so we left it out."),
            "radius": lambda v: (
                _("“%(value)s” is not a distance we search by; showing %(default)d miles.")
                % {"value": _shown(v), "default": engine.DEFAULT_RADIUS}
            ),
            "mode": lambda v: (
                _("“%(value)s” is not a way of meeting we know; showing in person and online.")
                % {"value": _shown(v)}
            ),
            "sort": lambda v: (
                _("“%(value)s” is not an order we offer; showing best match first.")
                % {"value": _shown(v)}
            ),
            "max_fee": lambda v: (
                _(
                    "“%(value)s” is not a fee we can use (a whole number of dollars from 0 to "
                    "%(max)s); any fee is shown."
                )
                % {"value": _shown(v), "max": f"{MAX_FEE:,}"}
            ),
            "page": lambda v: (
                _("“%(value)s” is not a page number; showing the first page.")
                % {"value": _shown(v)}
            ),
        }
        flag_names = {
            "sliding_scale": _("sliding scale"),
            "free_consultation": _("free consultation"),
            "verified": _("verified license"),
        }
        for name in list(self.errors):
            value = self._value(name)
            if name in messages:
                self.notes.append(str(messages[name](value)))
            elif name in flag_names:
                self.notes.append(
                    _("“%(value)s” is not on or off, so the %(filter)s filter is off.")
                    % {"value": _shown(value), "filter": flag_names[name]}
                )

    def _multi(self, known: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
        values: dict[str, tuple[str, ...]] = {}
        unknown: list[str] = []
        too_many = False
        for param, field_name in MULTI_PARAMS.items():
            raw = [v.strip().lower() for v in self.data.getlist(param) if v.strip()]
            kept: list[str] = []
            for value in dict.fromkeys(raw):
                if value not in known[param]:
                    unknown.append(value)
                elif len(kept) >= MAX_VALUES:
                    too_many = True
                else:
                    kept.append(value)
            values[field_name] = tuple(kept)
        if unknown:
            self.notes.append(
                ngettext(
                    "We don't know the choice %(values)s, so we left it out.",
                    "We don't know the choices %(values)s, so we left them out.",
                    len(unknown),
                )
                % {"values": _listed(unknown)}
            )
        if too_many:
            self.notes.append(
                _("Only the first %(count)d choices of a kind are used.") % {"count": MAX_VALUES}
            )
        return values

    def _accepting(self) -> bool:
        """On unless turned off. The page sends a hidden accepting=any before the checkbox's
        accepting=1, so a ticked box arrives as both (on) and an unticked one as "any" (off)."""
        values = [v.strip().lower() for v in self.data.getlist("accepting")]
        if not values or any(v in TRUE_VALUES for v in values):
            return True
        if all(v in FALSE_VALUES or v == "any" for v in values):
            return False
        self.notes.append(
            _("“%(value)s” is not on or off; showing only therapists accepting new clients.")
            % {"value": _shown(values[-1])}
        )
        return True

    def _unknown_params(self) -> None:
        unknown = sorted(set(self.data) - KNOWN_PARAMS)
        if unknown:
            self.notes.append(
                ngettext(
                    "We don't use the setting %(names)s, so we ignored it.",
                    "We don't use the settings %(names)s, so we ignored them.",
                    len(unknown),
                )
                % {"names": _listed(unknown)}
            )

    # --- the result --------------------------------------------------------------------

    def to_query(self) -> engine.SearchQuery:
        if self._query is not None:
            return self._query
        self.is_valid()  # runs every field; errors become notes below, never exceptions
        data = self.cleaned_data
        self._fallbacks()
        # Capped here; the view says so, knowing how many pages the results have.
        self.page_asked = page = data.get("page") or 1
        page = min(page, engine.MAX_PAGE)
        multi = self._multi(self._known_values())
        accepting = self._accepting()
        self._unknown_params()
        self._query = engine.SearchQuery(
            text=data.get("q") or "",
            location=data.get("location") or "",
            radius=data.get("radius") or engine.DEFAULT_RADIUS,
            mode=data.get("mode") or "both",
            max_fee=data.get("max_fee"),
            sliding_scale=bool(data.get("sliding_scale")),
            free_consultation=bool(data.get("free_consultation")),
            verified=bool(data.get("verified")),
            accepting=accepting,
            sort=data.get("sort") or "best",
            page=page,
            **multi,
        )
        return self._query
