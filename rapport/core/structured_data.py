"""schema.org JSON-LD for search engines, safe to place inside <script>."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

# Inside <script> a JSON string could close the element ("</script>") or open a
# comment ("<!--"); escaping these three characters as \u00XX keeps the JSON
# identical for a parser and inert for the HTML tokenizer.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(data: Any) -> SafeString:
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - markup characters are escaped above


def person(therapist: Any, url: str) -> dict[str, Any]:
    """A therapist as a schema.org Person (public fields only)."""
    data: dict[str, Any] = {"@type": "Person", "name": therapist.name, "url": url}
    if therapist.credentials:
        data["honorificSuffix"] = therapist.credentials
    if therapist.title:
        data["jobTitle"] = therapist.title
    office = therapist.primary_office
    if office is not None and (office.city or office.state):
        address: dict[str, str] = {"@type": "PostalAddress", "addressCountry": "US"}
        if office.city:
            address["addressLocality"] = office.city
        if office.state:
            address["addressRegion"] = office.state
        data["address"] = address
    return data


def license_credential(*, name: str, state: str, verified_on: datetime.date) -> dict[str, Any]:
    """A license staff verified, as a schema.org credential (never a self-reported one)."""
    return {
        "@type": "EducationalOccupationalCredential",
        "credentialCategory": "license",
        "name": name,
        "recognizedBy": {"@type": "State", "name": state},
        "dateModified": verified_on.isoformat(),
    }
