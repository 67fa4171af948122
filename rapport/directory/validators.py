"""Field rules shared by the importer, the editor forms and the API.

Each function takes a raw value and returns the cleaned value or raises
`FieldError` with a message a person can act on. They hold no Django form
state, so `interchange.py` can call them a million times cheaply and a form
can wrap them in `clean_<field>()`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from rapport.core import geo
from rapport.core.states import STATES, normalize_state


class FieldError(ValueError):
    """A problem with one field; `path` is filled in by the caller ("licenses[0].state")."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


# Control characters other than newline and tab never belong in profile text;
# they come from copy-paste and break exports.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10)) | {
    0x7F: None,
    0x2028: "\n",
    0x2029: "\n\n",
}
_SPACES = re.compile(r"[ \t\u00a0]+")
# Anything text() would change: control characters, odd spaces, doubled spaces,
# blank-line runs, leading or trailing whitespace.
_NEEDS_WORK = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u00a0\u2028\u2029]|  |\n\n\n|^\s|\s$|\n | \n")
_BLANK_LINES = re.compile(r"\n{3,}")


def text(value: object, *, max_length: int, required: bool = False, multiline: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(f"expected text, got {type(value).__name__}")
    value = str(value)
    # Fast path: most values are already clean, and this runs ~25 times per
    # profile, a million profiles at a time.
    if not _NEEDS_WORK.search(value) and (
        value.isascii() or (unicodedata.is_normalized("NFC", value) and is_utf8(value))
    ):
        if required and not value:
            raise FieldError("is required")
        if len(value) > max_length:
            raise FieldError(f"is {len(value):,} characters long; the limit is {max_length:,}")
        if multiline or "\n" not in value:
            return value
    if not is_utf8(value):
        raise FieldError("contains a broken character (half of an emoji?)")
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = value.translate(_CONTROL)
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
        value = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    else:
        value = _SPACES.sub(" ", value.replace("\n", " ").replace("\t", " ")).strip()
    if required and not value:
        raise FieldError("is required")
    if len(value) > max_length:
        raise FieldError(f"is {len(value):,} characters long; the limit is {max_length:,}")
    return value


def is_utf8(value: str) -> bool:
    """False for text holding half of a UTF-16 pair: JSON can spell one ("\\ud83d", an
    emoji cut in two), but UTF-8 cannot, so the database would refuse the whole batch.

    (Encoding is ~10x faster than searching for one with a regular expression.)
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "yes", "y", "1"}:
            return True
        if lowered in {"false", "no", "n", "0"}:
            return False
    raise FieldError(f"{value!r} is not true or false")


def wait_weeks(value: object) -> int | None:
    """A waitlist's expected wait: a whole number of weeks, 1 to 52 (a year), or absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise FieldError(f"{value!r} is not a whole number of weeks (1 to 52)")
    text = value.strip() if isinstance(value, str) else value
    try:
        number = int(text)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise FieldError(f"{value!r} is not a whole number of weeks (1 to 52)") from None
    if not 1 <= number <= 52:
        raise FieldError(f"{number} is outside 1 to 52 weeks")
    return number


def whole_dollars(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(f"{value!r} is not a whole number of dollars")
    if isinstance(value, str):
        value = value.strip().lstrip("$").replace(",", "")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FieldError(f"{value!r} is not a whole number of dollars") from None
    # "NaN" and "inf" parse as floats, and int() of them would raise and abort the import.
    if not math.isfinite(number) or number != int(number):
        raise FieldError(f"{value!r} is not a whole number of dollars")
    if not 0 <= number <= 10_000:
        raise FieldError(f"{int(number)} is outside 0 to 10,000 dollars per session")
    return int(number)


def state_code(value: object) -> str:
    raw = text(value, max_length=40, required=True)
    code = normalize_state(raw)
    if code is None:
        raise FieldError(f"{raw!r} is not a US state or territory")
    return code


def npi(value: object) -> str:
    raw = text(value, max_length=20).replace(" ", "").replace("-", "")
    if not raw:
        return ""
    if not re.fullmatch(r"\d{10}", raw):
        raise FieldError(f"{raw!r} is not an NPI: it must be 10 digits")
    if not npi_check_digit_ok(raw):
        raise FieldError(f"{raw!r} is not a valid NPI: the check digit does not match")
    return raw


def npi_check_digit(base9: str) -> str:
    """The check digit of a 9-digit NPI base (CMS standard: Luhn over "80840" + the base).

    The demo generator makes its NPIs with it, so they always pass `npi()`.
    """
    total = 0
    for i, ch in enumerate(reversed("80840" + base9)):
        d = int(ch)
        # The check digit will sit to the right, so the rightmost base digit is doubled.
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def npi_check_digit_ok(number: str) -> bool:
    # int(), not string equality: `\d` also admits non-ASCII digits, which int() reads.
    return int(number[9]) == int(npi_check_digit(number[:9]))


def zip_code(value: object) -> str:
    raw = text(value, max_length=12)
    if not raw:
        return ""
    match = re.fullmatch(r"(\d{5})(?:-?(\d{4}))?", raw)
    if not match:
        raise FieldError(f"{raw!r} is not a US ZIP code (12345 or 12345-6789)")
    return f"{match.group(1)}-{match.group(2)}" if match.group(2) else match.group(1)


def coordinate(value: object, *, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FieldError(f"{value!r} is not a number") from None
    if not low <= number <= high:
        raise FieldError(f"{number} is outside {low} to {high}")
    return round(number, 6)


def email(value: object) -> str:
    raw = text(value, max_length=254)
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        raise FieldError(f"{raw!r} is not an email address") from None
    return raw


_url = URLValidator(schemes=["http", "https"])


def website(value: object) -> str:
    raw = text(value, max_length=300)
    if not raw:
        return ""
    # "example.com" is what people type; a scheme other than http(s)
    # (javascript:, data:) is refused rather than guessed at.
    if "://" not in raw and ":" not in raw.split("/")[0]:
        raw = "https://" + raw
    try:
        _url(raw)
    except ValidationError:
        raise FieldError(f"{raw!r} is not a web address (http:// or https://)") from None
    return raw


_PHONE = re.compile(r"^[0-9+().\-\s/x#ext]*$", re.IGNORECASE)


def phone(value: object) -> str:
    raw = text(value, max_length=40)
    if raw and (not _PHONE.match(raw) or sum(c.isdigit() for c in raw) < 7):
        raise FieldError(f"{raw!r} is not a phone number")
    return raw


def iso_date(value: object, *, today: dt.date | None = None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        parsed = value
    else:
        try:
            parsed = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise FieldError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if today is not None and parsed > today + dt.timedelta(days=1):
        raise FieldError(f"{parsed.isoformat()} is in the future")
    return parsed


def did_you_mean(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# A ZIP typed into the city field ("Teaneck NJ 07666", "07666") is the
# commonest defect in the reference directory's data.
_CITY_WITH_ZIP = re.compile(
    r"^(?P<city>.*?)[\s,]*(?:(?P<state>[A-Za-z]{2})[\s,]+)?(?P<zip>\d{5}(?:-?\d{4})?)$"
)


def split_city(city: str, state: str, zip_value: str) -> tuple[str, str, str]:
    """Move a ZIP (and a trailing state code) typed into the city field to their own fields."""
    city = city.strip(" ,;")
    match = _CITY_WITH_ZIP.match(city)
    if not match:
        return city, state, zip_value
    typed_state = (match.group("state") or "").upper()
    if typed_state and typed_state not in STATES:
        return city, state, zip_value
    return (
        match.group("city").strip(" ,;"),
        state or typed_state,
        zip_value or match.group("zip"),
    )


def fill_coordinates(*, city: str, state: str, zip_value: str) -> tuple[float, float, str] | None:
    """(lat, lon, state) from the ZIP, else from city and state; None when neither is known."""
    place = geo.lookup_zip(zip_value) if zip_value else None
    if place is None and city and state:
        place = geo.lookup_city(city, state)
    if place is None:
        return None
    return place.lat, place.lon, place.state


_TRAINING_WORDS = re.compile(
    r"\b(certif\w*|trained|training|level (i|ii|iii|1|2|3)|ceus?|course|workshop|intensive|"
    r"institute|diploma|module|basic|advanced|part [12])\b",
    re.IGNORECASE,
)
_SENTENCE_WORDS = re.compile(
    r"\b(i|we|you|my|our|your|me|us|help|helps|work|works|believe|feel|love|offer|use)\b",
    re.IGNORECASE,
)


def is_training_list(statement: str) -> bool:
    """A "statement" that only lists trainings ("EMDR Level 1; Gottman Level 2; ...").

    The reference directory shows these as if they were someone's words. We
    keep them (they are the therapist's), but flag them for a moderator to
    ask for a real statement. Heuristic: several short list items, most of
    them naming a training, and almost no words of a sentence.
    """
    items = [i.strip() for i in re.split(r"[;\n•|]+|,(?=\s*[A-Z0-9])", statement) if i.strip()]
    if len(items) < 2:
        return False
    trainingish = sum(1 for item in items if _TRAINING_WORDS.search(item))
    talky = len(_SENTENCE_WORDS.findall(statement))
    average_words = sum(len(i.split()) for i in items) / len(items)
    return trainingish >= max(2, len(items) // 2) and talky <= 1 and average_words <= 8
