"""The generator: demo documents one at a time from a single seeded random stream.

What "realistic" means here, because benchmarks and pages depend on it:

- Places: cities are weighted by their 2020 Census population (Zipf-like), so
  the densest metro holds roughly 5-8% of all profiles, like New York in the
  real workforce. Offices get real ZIP codes within ~15 miles of the city, and
  the importer geocodes them. ~10% of profiles are telehealth-only, and some
  offices lack a city or a ZIP, to exercise the display rules and geocoder.
- Licences follow the state (CA has LMFT/AMFT/LPCC..., NY has LMHC/LMSW...),
  the title and credentials follow the licence, associates name a supervisor.
- Taxonomy slugs are the terms `rapport/taxonomy/data/*.toml` holds, read
  through `rapport.taxonomy.sync` (see `terms.py`).
- What goes together follows the field (`tables/affinities.py`, with sources):
  a profile listing ERP mostly lists OCD, TF-CBT comes with children or teens,
  psychologists do more exposure work and testing, social workers see more of
  people's circumstances, MFTs more couples and families; ~15-30% of clinicians
  are specialists (trauma, couples, children, eating disorders, OCD, ...), more
  of them in large cities, so every large metro has some of each.
- Statements are composed from many sentence templates and slots
  (`tables/prose.py`), so a million of them differ and still read like a
  person wrote them.

Determinism: one `random.Random(seed)` stream, no clock, no global random.
Every draw of document i happens before any draw of document i+1 and nothing
depends on `n`, so the first K documents of any run with the same seed are the
same whatever `n` is (10k is a prefix of 100k). Any change here or in the
tables that moves a single draw changes every document after it: that is what
the fingerprint test in `tests/test_demo.py` catches.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Sequence
from itertools import product
from typing import Any

from django.utils.text import slugify

from rapport.directory.validators import npi_check_digit

from .metros import Metro, ZipSpot, load_metros
from .tables import affinities as af
from .tables.licences import FEE_BANDS, FEE_SPREADS, STATE_FEE_FACTOR, LicenseKind
from .tables.names import MEN, NEUTRAL, OTHER_GENDERS, PRONOUNS, SURNAME_GROUPS, WOMEN
from .tables.places import NEIGHBOURS, STREET_TYPES, STREETS
from .tables.prose import (
    ADJECTIVES,
    APPROACH_LINES,
    APPROACH_STATEMENTS,
    BACKGROUNDS,
    BELIEFS,
    CLOSINGS,
    CLOSINGS_CONSULT,
    CLOSINGS_FULL,
    DOINGS,
    ELABORATIONS,
    EXTRA_PARAGRAPHS,
    FOCUSES,
    GOALS,
    HOBBIES,
    JOBS,
    LIKES,
    MIDDLES,
    OPENINGS,
    PLACES,
    SETTINGS,
    SURPRISES,
    WHENS,
)
from .tables.term_weights import SPANISH_STATES
from .terms import LicenseChoice, Niche, TermTables, load_terms
from .weighted import Table, from_pairs

SOURCE = "demo"
# The default "today" for confirmation dates, so the documents (and their fingerprints) do not
# depend on the clock; `seed_demo` passes the real date, so a demo seeded on any day looks like
# a directory whose therapists answer their reminders (directory/availability.py) that day.
REFERENCE_DATE = dt.date(2026, 11, 1)
# When "accepting" was last confirmed, in days before today, as a maintained directory with
# 30-day reminders would have it: (share, first day, days in the band).
CONFIRMED_BANDS = (
    (0.60, 0, 30),  # answered the last reminder
    (0.15, 30, 15),  # reminded, not yet answered
    (0.15, 45, 45),  # "availability not confirmed recently"
    (0.10, 90, 451),  # out of the accepting filter
)
# Population ** alpha: 1.0 is proportional to population; a little below 1
# keeps New York near 6-7% of all profiles with ~470 cities (see tests).
POPULATION_EXPONENT = 0.94
# The importer's limit on issues per profile is higher; directories show about this many.
MAX_ISSUES = 8
FORMAT_ORDER = ("individual", "couples", "family", "group")

_STREET_TYPES = from_pairs(STREET_TYPES)


def _expand(
    templates: Sequence[str], fills: dict[str, Sequence[str]]
) -> tuple[tuple[str, ...], ...]:
    """Each template with every combination of its static slots filled in.

    Done once at import, so a document costs one pick per sentence instead of
    several picks and a `format`. Slots not in `fills` stay as `{name}` for the
    per-document values. Grouped per template so every template stays equally likely.
    """
    out = []
    for template in templates:
        names = [name for name in fills if "{" + name + "}" in template]
        variants = []
        for combo in product(*(fills[name] for name in names)):
            text = template
            for name, value in zip(names, combo, strict=True):
                text = text.replace("{" + name + "}", value)
            variants.append(text)
        out.append(tuple(variants))
    return tuple(out)


MIDDLE_VARIANTS = _expand(MIDDLES, {"doing": DOINGS, "belief": BELIEFS, "goal": GOALS})
BACKGROUND_VARIANTS = _expand(
    BACKGROUNDS, {"job": JOBS, "place": PLACES, "hobby": HOBBIES, "setting": SETTINGS}
)
APPROACH_STATEMENT_VARIANTS = _expand(
    APPROACH_STATEMENTS,
    {"goal": GOALS, "elab": ELABORATIONS, "focus": FOCUSES, "likes": LIKES, "when": WHENS},
)


def _round5(value: float) -> int:
    return int(5 * round(value / 5))


def _ascii_slug(value: str) -> str:
    return slugify(value) or "x"


class DemoGenerator:
    """Documents one at a time from a single seeded stream; see `generate_documents`."""

    def __init__(
        self,
        seed: int,
        *,
        terms: TermTables | None = None,
        metros: Sequence[Metro] | None = None,
        today: dt.date = REFERENCE_DATE,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.terms = terms or TermTables(load_terms())
        self.metros = list(metros if metros is not None else load_metros())
        self.metro_table = Table(
            self.metros, [m.population**POPULATION_EXPONENT for m in self.metros]
        )
        self.big_metro = {id(m) for m in self.metros if m.population >= 1_000_000}
        self.large_metro = {id(m) for m in self.metros if m.population >= af.LARGE_METRO_POPULATION}
        self.niche_share_large = af.SPECIALIST_SHARE["large"]
        self.niche_share_other = af.SPECIALIST_SHARE["other"]
        women, men, neutral = (tuple(x) for x in (WOMEN, MEN, NEUTRAL))
        self.first_names = {
            "woman": Table([*women, *neutral], [1.0] * len(women) + [0.25] * len(neutral)),
            "man": Table([*men, *neutral], [1.0] * len(men) + [0.15] * len(neutral)),
            "nonbinary": Table(
                [*neutral, *women, *men], [3.0] * len(neutral) + [0.3] * (len(women) + len(men))
            ),
        }
        groups = []
        for weight, lang, names, identity_words in SURNAME_GROUPS:
            lang = lang if lang in self.terms.languages else ""
            identity = ""
            if identity_words and self.terms.identity_table is not None:
                identity = next(
                    (s for w in identity_words for s in self.terms.identity_table.items if w in s),
                    "",
                )
            # "_" joins a surname of several words ("Dela_Cruz") in tables/names.py.
            surnames = [n.replace("_", " ") for n in names.split()]
            groups.append((surnames, lang, identity, weight))
        self.surname_groups = Table(
            [(n, lang, ident) for n, lang, ident, _ in groups], [w for *_, w in groups]
        )
        self.pronouns = {gender: from_pairs(pairs) for gender, pairs in PRONOUNS.items()}
        self.slugs: dict[str, str] = {}
        self.dates = [(today - dt.timedelta(days=d)).isoformat() for d in range(541)]
        # NPI bases: a bijection of the document index onto 9-digit numbers starting
        # with 1, so NPIs never repeat within a run; the offset depends on the seed.
        self.npi_offset = random.Random(f"npi-{seed}").randrange(10**8)

    def _slug(self, name: str) -> str:
        slug = self.slugs.get(name)
        if slug is None:
            slug = self.slugs[name] = _ascii_slug(name)
        return slug

    # One document ------------------------------------------------------------------

    def _confirmed(self, band_draw: float, day_draw: float) -> str:
        """A confirmation date from CONFIRMED_BANDS (two draws: the band, the day in it)."""
        for share, first, days in CONFIRMED_BANDS:
            if band_draw < share:
                return self.dates[first + int(day_draw * days)]
            band_draw -= share
        return self.dates[90 + int(day_draw * 451)]

    def document(self, index: int) -> dict[str, Any]:
        rng = self.rng
        rnd = rng.random
        terms = self.terms
        ext_id = f"{index + 1:07d}"

        # Who --------------------------------------------------------------------------
        g = rnd()
        gender = "woman" if g < 0.70 else "man" if g < 0.92 else "nonbinary" if g < 0.975 else ""
        first = self.first_names[gender or "nonbinary"].pick(rnd)
        surnames, lang_hint, identity_hint = self.surname_groups.pick(rnd)
        last = surnames[int(rnd() * len(surnames))]
        r = rnd()
        if r < 0.04:
            other_group = self.surname_groups.pick(rnd)[0]
            second = other_group[int(rnd() * len(other_group))]
            if second != last:
                last = f"{last}-{second}"
        elif r < 0.12:
            first = f"{first} {'ABCDEFGHJKLMNPRSTW'[int(rnd() * 18)]}."
        name = f"{first} {last}"
        pronouns = self.pronouns[gender].pick(rnd)
        gender_value = gender or (OTHER_GENDERS[int(rnd() * 4)] if rnd() < 0.4 else "")

        # Where --------------------------------------------------------------------------
        metro = self.metro_table.pick(rnd)
        spot = metro.zips.pick(rnd)
        home_state = spot.state

        # Licence, title, credentials ------------------------------------------------------
        choice, status = terms.license_menu(home_state).pick(rnd)
        kind = choice.kind
        associate = status == "associate"
        category = kind.category
        prescriber = category in ("psychiatrist", "pmhnp")
        degree = kind.degrees[int(rnd() * len(kind.degrees))] if kind.degrees else ""
        if category in ("psychologist", "psychiatrist", "pmhnp"):
            credentials = degree
        else:
            credentials = f"{degree}, {choice.label}" if degree else choice.label
        title = kind.title
        if category == "psychologist":
            title = ("Psychologist", "Licensed Psychologist", "Clinical Psychologist")[
                int(rnd() * 3)
            ]
        if rnd() < 0.02:
            title = ""  # exercises "Name, Credentials — in City, ST" display rules
        licenses = [self._license(choice, status, home_state, kind)]
        years = 1 + int(rnd() * 3) if associate else 2 + int(rnd() * rnd() * 36)

        # Offices ----------------------------------------------------------------------------
        offices: list[dict[str, Any]] = []
        telehealth_only = rnd() < 0.10
        if not telehealth_only:
            offices.append(self._office(spot, rnd))
            if rnd() < 0.12:
                other = metro.zips.pick(rnd)
                if other.zip != spot.zip:
                    offices.append(self._office(other, rnd, full=True))
        telehealth = True if telehealth_only else rnd() < (0.8 if prescriber else 0.65)
        license_states = [home_state]
        if len(offices) > 1:
            # A second office across a state line (metros straddle them) needs a licence there.
            state = offices[1].get("state") or home_state
            if state not in license_states:
                extra = terms.same_kind_in(state, kind, status)
                if extra is None:
                    offices.pop()
                else:
                    license_states.append(state)
                    licenses.append(self._license(extra[0], extra[1], state, extra[0].kind))
        if rnd() < 0.08:
            neighbours = NEIGHBOURS.get(home_state, ())
            if neighbours:
                state = neighbours[int(rnd() * len(neighbours))]
                extra = terms.same_kind_in(state, kind, status)
                if extra is not None and state not in license_states:
                    license_states.append(state)
                    licenses.append(self._license(extra[0], extra[1], state, extra[0].kind))

        # Clinical focus ------------------------------------------------------------------
        # Some clinicians specialise (affinities.SPECIALTIES): they lead with the specialty's
        # issues and approaches. Specialty practices cluster in large cities.
        niche: Niche | None = None
        if rnd() < (
            self.niche_share_large if id(metro) in self.large_metro else self.niche_share_other
        ):
            niche_table = terms.niche_table(category)
            if niche_table is not None:
                niche = niche_table.pick(rnd)
        ages = []
        if niche is not None and "children" in niche.ages:
            child_focus = True
        else:
            child_focus = rnd() < 0.08 and not prescriber
        if child_focus:
            ages = ["children", "teens"] if rnd() < 0.7 else ["children", "teens", "adults"]
        else:
            teens = niche.ages.get("teens", 0.35) if niche is not None else 0.35
            if rnd() < teens:
                ages.append("teens")
            ages.append("adults")
            if rnd() < 0.3:
                ages.append("older")
            if rnd() < 0.06:
                ages.insert(0, "children")
        if "children" in ages:
            # The narrower groups inside "children" (ages.toml), listed with it as a
            # therapist would: those who work with children mostly say which ages, the
            # youngest (play therapy, parent-child work) less often than the preteens.
            bands = []
            if rnd() < (0.4 if child_focus else 0.1):
                bands.append("young")
            if rnd() < (0.7 if child_focus else 0.5):
                bands.append("preteens")
            at = ages.index("children") + 1
            ages[at:at] = bands
        kids = "children" in ages or "teens" in ages
        formats = ["individual"]
        if not prescriber:
            is_mft = category == "mft"
            if rnd() < (0.75 if is_mft else 0.3):
                formats.append("couples")
            if rnd() < (0.55 if is_mft else 0.45 if child_focus else 0.18):
                formats.append("family")
            if rnd() < 0.08:
                formats.append("group")
            if niche is not None and niche.formats:
                wanted = {*formats, *niche.formats}
                formats = [f for f in FORMAT_ORDER if f in wanted]
        couples = "couples" in formats
        family = "family" in formats
        issue_count = (3, 4, 4, 5, 5, 5, 6, 6, 7, 8)[int(rnd() * 10)]
        found = terms.issue_tables.get((kids, couples, gender == "man", category))
        issue_table, allowed_issues = found or terms.issue_table(
            kids, couples, gender == "man", category
        )
        issues = issue_table.pick_distinct(rnd, issue_count)
        lead = 0
        if niche is not None:
            picked = niche.issues.pick_distinct(rnd, 2 if rnd() < 0.6 else 1)
            picked = [s for s in picked if s in allowed_issues]
            lead = len(picked)
            issues = picked + [s for s in issues if s not in picked]
            del issues[max(issue_count, lead) :]
        approach_count = (1, 2, 2, 2, 3, 3, 3, 4, 4, 5)[int(rnd() * 10)]
        children = "children" in ages
        found_a = terms.approach_tables.get((kids, children, couples, family, category))
        approach_table, allowed_approaches = found_a or terms.approach_table(
            kids, children, couples, family, category
        )
        approach_slugs = approach_table.pick_distinct(rnd, approach_count)
        if niche is not None and niche.approaches is not None:
            picked = niche.approaches.pick_distinct(rnd, 2 if rnd() < 0.4 else 1)
            picked = [s for s in picked if s in allowed_approaches]
            approach_slugs = picked + [s for s in approach_slugs if s not in picked]
            del approach_slugs[max(approach_count, len(picked)) :]
        if prescriber and terms.prescriber_approaches and rnd() < 0.8:
            slug = terms.prescriber_approaches[int(rnd() * len(terms.prescriber_approaches))]
            if slug not in approach_slugs:
                approach_slugs.insert(0, slug)
        # The problems each approach is used for (affinities.APPROACH_ISSUES) come right
        # after the specialty's, so the statement names them next to the approach; family
        # work by definition (APPROACH_FORMATS) comes with family sessions.
        at = lead
        approach_issues = terms.approach_issues
        approach_formats = terms.approach_formats
        for slug in approach_slugs:
            pairs = approach_issues.get(slug)
            if pairs is None:
                continue
            if slug in approach_formats and approach_formats[slug] not in formats:
                wanted = {*formats, approach_formats[slug]}
                formats = [f for f in FORMAT_ORDER if f in wanted]
            for issue, chance in pairs:
                if issue in issues:
                    where = issues.index(issue)
                    if where >= at:
                        # Listed already, further down: bring it up beside the approach.
                        if where > at:
                            issues.insert(at, issues.pop(where))
                        at += 1
                elif rnd() < chance and issue in allowed_issues:
                    issues.insert(at, issue)
                    at += 1
        if len(issues) > issue_count:
            del issues[min(MAX_ISSUES, max(issue_count, at)) :]

        # Languages, identities, communities --------------------------------------------
        languages = ["en"] if "en" in terms.languages else []
        spanish = SPANISH_STATES.get(home_state, 0.05)
        if lang_hint == "es":
            spanish = max(spanish, 0.45)
        if "es" in terms.languages and rnd() < spanish:
            if home_state == "PR" and rnd() < 0.4:
                languages = ["es"]
            else:
                languages.append("es")
        if lang_hint and lang_hint != "es" and rnd() < 0.3:
            languages.append(lang_hint)
        elif terms.extra_languages is not None and rnd() < 0.05:
            languages.append(terms.extra_languages.pick(rnd))
        languages = list(dict.fromkeys(languages))

        identities: list[str] = []
        if terms.identity_table is not None and rnd() < 0.5:
            if gender in terms.gender_identity and rnd() < 0.4:
                identities.append(terms.gender_identity[gender])
            if identity_hint and rnd() < 0.4:
                identities.append(identity_hint)
            groups = terms.identity_group
            used = {groups.get(s, s) for s in identities}
            for slug in terms.identity_table.pick_distinct(rnd, int(rnd() * 3)):
                if groups[slug] in used or (gender == "man" and slug == "lesbian"):
                    continue
                used.add(groups[slug])
                identities.append(slug)
        communities: list[str] = []
        if terms.community_table is not None and rnd() < 0.55:
            communities = terms.community_table.pick_distinct(rnd, 1 + int(rnd() * rnd() * 5))

        # Money ----------------------------------------------------------------------------
        insurance: list[str] = []
        table = terms.insurance_table(home_state)
        if table is not None and rnd() < (0.85 if prescriber else 0.6):
            insurance = table.pick_distinct(rnd, 1 + int(rnd() * 6))
        fees: dict[str, Any] = {}
        floor = False
        if rnd() < 0.95:
            low, high = FEE_BANDS["associate" if associate else category]
            factor = STATE_FEE_FACTOR.get(home_state, 0.95) * (
                1.1 if id(metro) in self.big_metro else 1.0
            )
            fee_min = _round5((low + (high - low) * rnd()) * factor)
            fee_max = fee_min + FEE_SPREADS[int(rnd() * len(FEE_SPREADS))]
            if rnd() < 0.06:
                fee_min = max(20, _round5(fee_min * 0.4))  # a low sliding-scale floor
                floor = True
            fees = {"min": fee_min, "max": fee_max}
        # A fee that low is a sliding scale's floor: say so, as the person would.
        sliding = floor or rnd() < (0.55 if associate else 0.3)
        consult = rnd() < 0.55
        if sliding:
            fees["sliding_scale"] = True
        if consult:
            fees["free_consultation"] = True
        accepting = rnd() < 0.8
        confirmed = self._confirmed(rnd(), rnd()) if rnd() < 0.85 else ""

        # Words -------------------------------------------------------------------------------
        first_name = first.split(" ")[0]
        statement = self._statement(
            rnd,
            first_name,
            issues,
            approach_slugs,
            ages,
            formats,
            years,
            metro.city if not telehealth_only else "",
            consult,
            accepting,
        )
        approaches = []
        share = 0.6 + 0.2 * rnd()  # 60-80% of a person's approaches carry a statement
        for slug in approach_slugs:
            entry: dict[str, Any] = {"slug": slug}
            if rnd() < share:
                entry["statement"] = self._approach_statement(rnd, slug, issues)
            approaches.append(entry)

        # Assemble in spec order -----------------------------------------------------------
        doc: dict[str, Any] = {
            "id": ext_id,
            "source": SOURCE,
            "name": name,
            "credentials": credentials,
            "title": title,
        }
        if pronouns:
            doc["pronouns"] = pronouns
        if gender_value:
            doc["gender"] = gender_value
        if identities:
            doc["identities"] = identities
        if communities:
            doc["communities"] = communities
        doc["statement"] = statement
        doc["approaches"] = approaches
        doc["issues"] = issues
        doc["ages"] = [terms.ages[a] for a in ages if a in terms.ages]
        doc["formats"] = [terms.formats[f] for f in formats if f in terms.formats]
        doc["languages"] = languages
        doc["licenses"] = licenses
        if rnd() < 0.6:
            base9 = str(100_000_000 + (index * 48_271 + self.npi_offset) % 100_000_000)
            doc["npi"] = base9 + npi_check_digit(base9)
        if offices:
            doc["offices"] = offices
            doc["in_person"] = True
        else:
            doc["in_person"] = False
        doc["telehealth"] = telehealth
        if telehealth and rnd() < 0.8:
            # The rest leave it out, so the importer's default (licence states) is exercised.
            doc["telehealth_states"] = sorted(license_states)
        if insurance:
            doc["insurance"] = insurance
        if fees:
            doc["fees"] = fees
        doc["accepting_new_clients"] = accepting
        if confirmed:
            doc["accepting_confirmed_at"] = confirmed
        doc["email"] = f"demo+{ext_id}@example.org"
        if rnd() < 0.9:
            doc["phone"] = f"({spot.area_code}) 555-01{int(rnd() * 100):02d}"
        if rnd() < 0.35:
            # A credential in the address is the person's own (no "-phd" for an LMFT).
            own = degree.split(", ")[0] if category in ("psychologist", "psychiatrist") else ""
            tail = (
                "",
                "-psychiatry" if prescriber else "-therapy",
                "-counseling" if category == "counselor" else "-practice",
                f"-{self._slug(own or choice.label)}",
            )[int(rnd() * 4)]
            doc["website"] = (
                f"https://example.org/{self._slug(first_name)}-{self._slug(last)}{tail}"
            )
        return doc

    def _license(
        self, choice: LicenseChoice, status: str, state: str, kind: LicenseKind
    ) -> dict[str, Any]:
        rnd = self.rng.random
        digits = 5 + int(rnd() * 3)
        number = str(int(10 ** (digits - 1) + rnd() * 9 * 10 ** (digits - 1)))
        lic: dict[str, Any] = {
            "type": choice.label,
            "number": number,
            "state": state,
            "status": status,
        }
        if status == "associate":
            # The supervisor holds that state's independent licence of the same profession.
            sup = self.terms.same_kind_in(state, kind, "licensed")
            sup_label = sup[0].label if sup else "LCSW"
            table = self.first_names["woman" if rnd() < 0.7 else "man"]
            surnames = self.surname_groups.pick(rnd)[0]
            lic["supervisor"] = (
                f"{table.pick(rnd)} {surnames[int(rnd() * len(surnames))]}, {sup_label}"
            )
        return lic

    def _office(self, spot: ZipSpot, rnd: Any, *, full: bool = False) -> dict[str, Any]:
        """An office at a real ZIP; some lack a city, a ZIP or a street, as real data does."""
        r = 0.0 if full else rnd()
        street = f"{100 + int(rnd() * 9800)} {STREETS[int(rnd() * len(STREETS))]} {_STREET_TYPES.pick(rnd)}"
        if rnd() < 0.5:
            street += f", Suite {(1 + int(rnd() * 6)) * 100 + int(rnd() * 20)}"
        if r < 0.76:
            office = {"address": street, "city": spot.city, "state": spot.state, "zip": spot.zip}
            if rnd() < 0.35:
                # Geocoded to the building: a little off the ZIP centroid, kept on export.
                office["lat"] = round(spot.lat + (rnd() - 0.5) * 0.02, 5)
                office["lon"] = round(spot.lon + (rnd() - 0.5) * 0.02, 5)
            return office
        if r < 0.86:
            return {"city": spot.city, "state": spot.state, "zip": spot.zip}
        if r < 0.93:
            # City but no ZIP: the geocoder falls back to the city centroid.
            return {"address": street, "city": spot.city, "state": spot.state}
        if r < 0.965:
            return {"state": spot.state, "zip": spot.zip}  # ZIP only: "Title in Washington"
        return {"zip": spot.zip}

    # Statements ---------------------------------------------------------------------

    def _who(self, rnd: Any, ages: list[str], formats: list[str]) -> str:
        options = []
        if "children" in ages:
            options.append(
                (
                    "children and their families",
                    "kids and the parents who love them",
                    "children and parents",
                )[int(rnd() * 3)]
            )
        if "teens" in ages:
            options.append(
                ("teens", "teenagers", "adolescents", "teens and young adults")[int(rnd() * 4)]
            )
        if "adults" in ages:
            options.append(
                (
                    "adults",
                    "adults",
                    "young adults",
                    "adults in their twenties and thirties",
                    "busy professionals",
                    "midlife adults",
                    "college students",
                    "new parents",
                    "people in helping professions",
                )[int(rnd() * 9)]
            )
        if "older" in ages:
            options.append(("older adults", "people in later life")[int(rnd() * 2)])
        if "couples" in formats:
            options.append(("couples", "partners", "couples at every stage")[int(rnd() * 3)])
        if "family" in formats and rnd() < 0.5:
            options.append("families")
        if len(options) > 2:
            a = int(rnd() * len(options))
            b = (a + 1 + int(rnd() * (len(options) - 1))) % len(options)
            options = [options[min(a, b)], options[max(a, b)]]
        if len(options) == 2 and options[1] == "young adults" and "young adults" in options[0]:
            options[1] = "adults"  # not "teens and young adults as well as young adults"
        if not options:
            return "adults"
        if len(options) == 2 and (" and " in options[0] or " and " in options[1]):
            return f"{options[0]} as well as {options[1]}"
        return " and ".join(options)

    def _approach_label(self, rnd: Any, slug: str) -> str:
        labels = self.terms.approach_labels.get(slug) or (slug.replace("-", " "),)
        return labels[int(rnd() * len(labels))]

    def _statement(
        self,
        rnd: Any,
        first: str,
        issues: list[str],
        approaches: list[str],
        ages: list[str],
        formats: list[str],
        years: int,
        city: str,
        consult: bool,
        accepting: bool,
    ) -> str:
        phrase = self.terms.issue_phrase
        picked = [phrase.get(s, s.replace("-", " ")) for s in issues[:3]]
        while len(picked) < 3:
            picked.append(("stress", "life changes", "relationships")[len(picked)])
        a1 = self._approach_label(rnd, approaches[0]) if approaches else "talk therapy"
        a2 = (
            self._approach_label(rnd, approaches[1])
            if len(approaches) > 1
            else ("mindfulness", "skills practice", "plain conversation")[int(rnd() * 3)]
        )
        n_adj = len(ADJECTIVES)
        j = int(rnd() * n_adj)
        slots = {
            "who": self._who(rnd, ages, formats),
            "i1": picked[0],
            "i2": picked[1],
            "i3": picked[2],
            "a1": a1,
            "a2": a2,
            "adj1": ADJECTIVES[j],
            "adj2": ADJECTIVES[(j + 1 + int(rnd() * (n_adj - 2))) % n_adj],
            "adj3": ADJECTIVES[(j + n_adj - 1) % n_adj],
            "surprise": SURPRISES[int(rnd() * len(SURPRISES))],
            "first": first,
            "years": f"{years} years" if years > 1 else "the past year",
            "since": REFERENCE_DATE.year - years,
            "city": city or "this area",
            "years2": 3 + int(rnd() * 20),
        }
        if slots["adj2"] == slots["adj1"]:
            slots["adj2"] = "kind"
        if slots["surprise"] in (slots["adj1"], slots["adj2"]):
            slots["surprise"] = "light"  # not "practical and sometimes surprisingly practical"
        sentences = [
            OPENINGS[int(rnd() * len(OPENINGS))].format_map(slots),
            APPROACH_LINES[int(rnd() * len(APPROACH_LINES))].format_map(slots),
        ]
        variants = MIDDLE_VARIANTS[int(rnd() * len(MIDDLE_VARIANTS))]
        middle = variants[int(rnd() * len(variants))]
        variants = BACKGROUND_VARIANTS[int(rnd() * len(BACKGROUND_VARIANTS))]
        background = variants[int(rnd() * len(variants))]
        if "{" in background:
            background = background.format_map(slots)
        if not accepting and rnd() < 0.5:
            closing = CLOSINGS_FULL[int(rnd() * len(CLOSINGS_FULL))]
        elif consult and rnd() < 0.5:
            closing = CLOSINGS_CONSULT[int(rnd() * len(CLOSINGS_CONSULT))]
        else:
            closing = CLOSINGS[int(rnd() * len(CLOSINGS))]
        # Order varies a little, as people's do.
        if rnd() < 0.5:
            sentences.append(middle)
            sentences.append(background)
        else:
            if rnd() < 0.3:
                sentences.insert(1, background)
            else:
                sentences.append(background)
            sentences.append(middle)
        # 40-90 words: drop or add sentences to land in range.
        words = sum(s.count(" ") + 1 for s in sentences) + closing.count(" ") + 1
        if words > 90:
            sentences.pop()
            words = sum(s.count(" ") + 1 for s in sentences) + closing.count(" ") + 1
        while words < 40:
            variants = MIDDLE_VARIANTS[int(rnd() * len(MIDDLE_VARIANTS))]
            extra = variants[int(rnd() * len(variants))]
            sentences.append(extra)
            words += extra.count(" ") + 1
        split = rnd()
        if split < 0.35:
            text = " ".join(sentences) + "\n\n" + closing
        elif split < 0.55 and len(sentences) > 2:
            text = " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:]) + " " + closing
        else:
            text = " ".join(sentences) + " " + closing
        if rnd() < 0.05:
            # Some people write a lot: long enough to need "Read more".
            paragraphs = [text]
            order = list(range(len(EXTRA_PARAGRAPHS)))
            start = int(rnd() * len(order))
            for k in range(len(order)):
                paragraphs.append(
                    EXTRA_PARAGRAPHS[(start + k) % len(order)].format(
                        belief_cap=BELIEFS[int(rnd() * len(BELIEFS))].capitalize(), **slots
                    )
                )
                if sum(len(p) for p in paragraphs) > 1150:
                    break
            text = "\n\n".join(paragraphs)
        return text[0].upper() + text[1:]

    def _approach_statement(self, rnd: Any, slug: str, issues: list[str]) -> str:
        phrase = self.terms.issue_phrase
        # What the approach is for, when the profile lists it (ERP: OCD); else any issue.
        slug_issue = None
        for candidate, _ in self.terms.approach_issues.get(slug, ()):
            if candidate in issues:
                slug_issue = candidate
                break
        if slug_issue is None and issues:
            slug_issue = issues[int(rnd() * len(issues))]
        issue = phrase.get(slug_issue, "stress") if slug_issue else "stress"
        variants = APPROACH_STATEMENT_VARIANTS[int(rnd() * len(APPROACH_STATEMENT_VARIANTS))]
        text = variants[int(rnd() * len(variants))].format(
            a=self._approach_label(rnd, slug), issue=issue
        )
        # 20-60 words: short ones get a sentence or two more.
        words = text.count(" ") + 1
        n = len(ELABORATIONS)
        k = int(rnd() * n)
        while words < 20 or (words < 30 and rnd() < 0.4):
            extra = ELABORATIONS[k % n]
            if extra not in text:
                text += " " + extra
                words += extra.count(" ") + 1
            k += 1
        return text[0].upper() + text[1:]


def generate_documents(
    n: int, seed: int, *, today: dt.date = REFERENCE_DATE
) -> Iterator[dict[str, Any]]:
    """`n` demo documents for `seed`: the same every time (for one `today`), and a prefix of
    any longer run."""
    generator = DemoGenerator(seed, today=today)
    for index in range(n):
        yield generator.document(index)


def iter_numbered(documents: Iterable[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, document) pairs, as the importer takes them; numbers start at 1."""
    return enumerate(documents, start=1)
