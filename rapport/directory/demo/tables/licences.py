"""Licences, titles and fees: which licences each state's directory shows, and what they cost.

Data only; `terms.py` matches each licence kind to the taxonomy's licence-type
terms, and the generator draws from the menus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LicenseKind:
    code: str
    category: str  # counselor, social, mft, psychologist, psychiatrist, pmhnp
    title: str
    associate: bool = False
    degrees: tuple[str, ...] = ()  # credential prefixes; "" means the licence alone
    aliases: tuple[str, ...] = ()


_COUNSELOR_DEGREES = ("MA", "MA", "MS", "MEd", "MC", "")
_SW_DEGREES = ("MSW", "")
_MFT_DEGREES = ("MA", "MS", "MFT", "")
LICENSE_KINDS: dict[str, LicenseKind] = {
    k.code: k
    for k in (
        LicenseKind(
            "LMFT",
            "mft",
            "Licensed Marriage & Family Therapist",
            False,
            _MFT_DEGREES,
            ("Licensed Marriage and Family Therapist",),
        ),
        LicenseKind(
            "AMFT",
            "mft",
            "Associate Marriage & Family Therapist",
            True,
            ("MA", "MS"),
            ("Associate Marriage and Family Therapist",),
        ),
        LicenseKind(
            "LMFT-A",
            "mft",
            "Licensed Marriage & Family Therapist Associate",
            True,
            ("MA", "MS"),
            ("LMFT Associate", "LMFTA"),
        ),
        LicenseKind(
            "LCMFT",
            "mft",
            "Licensed Clinical Marriage & Family Therapist",
            False,
            _MFT_DEGREES,
            ("Licensed Clinical Marriage and Family Therapist",),
        ),
        LicenseKind("LCSW", "social", "Licensed Clinical Social Worker", False, _SW_DEGREES),
        LicenseKind(
            "LICSW", "social", "Licensed Independent Clinical Social Worker", False, _SW_DEGREES
        ),
        LicenseKind(
            "LCSW-C", "social", "Licensed Certified Social Worker-Clinical", False, _SW_DEGREES
        ),
        LicenseKind("LISW", "social", "Licensed Independent Social Worker", False, _SW_DEGREES),
        LicenseKind(
            "ASW",
            "social",
            "Associate Clinical Social Worker",
            True,
            ("MSW",),
            ("Associate Social Worker",),
        ),
        LicenseKind("LMSW", "social", "Licensed Master Social Worker", True, ("",)),
        LicenseKind("LSW", "social", "Licensed Social Worker", True, ("MSW", "")),
        LicenseKind("LGSW", "social", "Licensed Graduate Social Worker", True, ("MSW", "")),
        LicenseKind(
            "LCSW-A", "social", "Licensed Clinical Social Worker Associate", True, ("MSW",)
        ),
        LicenseKind(
            "LPC", "counselor", "Licensed Professional Counselor", False, _COUNSELOR_DEGREES
        ),
        LicenseKind(
            "LPC-Associate",
            "counselor",
            "Licensed Professional Counselor Associate",
            True,
            ("MA", "MS", "MEd"),
            ("LPC Associate", "LPCA", "LPC-A"),
        ),
        LicenseKind(
            "LPCC",
            "counselor",
            "Licensed Professional Clinical Counselor",
            False,
            _COUNSELOR_DEGREES,
        ),
        LicenseKind(
            "APCC", "counselor", "Associate Professional Clinical Counselor", True, ("MA", "MS")
        ),
        LicenseKind(
            "LMHC", "counselor", "Licensed Mental Health Counselor", False, _COUNSELOR_DEGREES
        ),
        LicenseKind(
            "LCPC",
            "counselor",
            "Licensed Clinical Professional Counselor",
            False,
            _COUNSELOR_DEGREES,
        ),
        LicenseKind(
            "LCMHC",
            "counselor",
            "Licensed Clinical Mental Health Counselor",
            False,
            _COUNSELOR_DEGREES,
        ),
        LicenseKind(
            "LPC-MH",
            "counselor",
            "Licensed Professional Counselor – Mental Health",
            False,
            _COUNSELOR_DEGREES,
        ),
        LicenseKind(
            "LPCMH",
            "counselor",
            "Licensed Professional Counselor of Mental Health",
            False,
            _COUNSELOR_DEGREES,
        ),
        LicenseKind(
            "LIMHP",
            "counselor",
            "Licensed Independent Mental Health Practitioner",
            False,
            _COUNSELOR_DEGREES,
        ),
        LicenseKind(
            "LMHCA",
            "counselor",
            "Licensed Mental Health Counselor Associate",
            True,
            ("MA", "MS", "MEd"),
        ),
        LicenseKind(
            "LAPC",
            "counselor",
            "Licensed Associate Professional Counselor",
            True,
            ("MA", "MS", "MEd"),
        ),
        LicenseKind(
            "LGPC", "counselor", "Licensed Graduate Professional Counselor", True, ("MA", "MS")
        ),
        LicenseKind(
            "Psychologist",
            "psychologist",
            "Psychologist",
            False,
            ("PhD", "PhD", "PsyD", "PsyD", "EdD"),
            ("Licensed Psychologist", "LP"),
        ),
        LicenseKind(
            "Psychiatrist",
            "psychiatrist",
            "Psychiatrist",
            False,
            ("MD", "MD", "MD", "DO"),
            ("MD", "Physician (psychiatry)"),
        ),
        LicenseKind(
            "PMHNP",
            "pmhnp",
            "Psychiatric Nurse Practitioner",
            False,
            ("PMHNP-BC", "MSN, PMHNP-BC", "DNP, PMHNP-BC", "APRN, PMHNP-BC"),
            ("PMHNP-BC", "Psychiatric-Mental Health Nurse Practitioner"),
        ),
    )
}
# When the taxonomy lacks a state-specific type, use the general one of its kind.
LICENSE_FALLBACK = {
    "LICSW": "LCSW",
    "LCSW-C": "LCSW",
    "LISW": "LCSW",
    "LPCC": "LPC",
    "LMHC": "LPC",
    "LCPC": "LPC",
    "LCMHC": "LPC",
    "LPC-MH": "LPC",
    "LPCMH": "LPC",
    "LIMHP": "LPC",
    "LCMFT": "LMFT",
}
PRESCRIBER_MENU = (("Psychiatrist", 3.0), ("PMHNP", 2.5))
DEFAULT_MENU = (("LPC", 30), ("LCSW", 26), ("LMFT", 9), ("Psychologist", 11))
# (code, weight[, status]) per state; the two-tier and associate titles where we know them.
STATE_LICENSE_MENUS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "CA": (
        ("LMFT", 22),
        ("AMFT", 8),
        ("LCSW", 18),
        ("ASW", 5),
        ("LPCC", 8),
        ("APCC", 3),
        ("Psychologist", 12),
    ),
    "NY": (("LMHC", 20), ("LCSW", 28), ("LMSW", 8), ("LMFT", 6), ("Psychologist", 14)),
    "TX": (
        ("LPC", 28),
        ("LPC-Associate", 7),
        ("LCSW", 18),
        ("LMSW", 5),
        ("LMFT", 6),
        ("LMFT-A", 2),
        ("Psychologist", 10),
    ),
    "IL": (
        ("LCPC", 24),
        ("LPC", 7, "associate"),
        ("LCSW", 24),
        ("LSW", 5),
        ("LMFT", 5),
        ("Psychologist", 11),
    ),
    "MA": (("LMHC", 26), ("LICSW", 26), ("LMFT", 6), ("Psychologist", 12)),
    "WA": (("LMHC", 24), ("LMHCA", 4), ("LICSW", 22), ("LMFT", 8), ("Psychologist", 10)),
    "GA": (("LPC", 26), ("LAPC", 6), ("LCSW", 24), ("LMFT", 8), ("Psychologist", 11)),
    "KS": (
        ("LCPC", 20),
        ("LPC", 6, "associate"),
        ("LCSW", 22),
        ("LCMFT", 5),
        ("LMFT", 3),
        ("Psychologist", 11),
    ),
    "SD": (("LPC-MH", 20), ("LPC", 10), ("LCSW", 20), ("LMFT", 6), ("Psychologist", 10)),
    "DE": (("LPCMH", 22), ("LCSW", 24), ("LMFT", 6), ("Psychologist", 10)),
    "NE": (("LIMHP", 22), ("LCSW", 18), ("LMFT", 6), ("Psychologist", 10)),
    "FL": (("LMHC", 24), ("LCSW", 24), ("LMFT", 8), ("Psychologist", 11)),
    "MD": (
        ("LCPC", 22),
        ("LGPC", 4),
        ("LCSW-C", 24),
        ("LGSW", 4),
        ("LCMFT", 5),
        ("Psychologist", 11),
    ),
    "NC": (("LCMHC", 28), ("LCSW", 22), ("LCSW-A", 4), ("LMFT", 7), ("Psychologist", 10)),
    "NH": (("LCMHC", 26), ("LICSW", 24), ("LMFT", 6), ("Psychologist", 10)),
    "VT": (("LCMHC", 26), ("LICSW", 24), ("LMFT", 6), ("Psychologist", 10)),
    "OH": (
        ("LPCC", 22),
        ("LPC", 6, "associate"),
        ("LISW", 24),
        ("LSW", 5),
        ("LMFT", 5),
        ("Psychologist", 11),
    ),
    "MN": (("LPCC", 22), ("LICSW", 26), ("LMFT", 9), ("Psychologist", 11)),
    "DC": (("LPC", 24), ("LICSW", 28), ("LMFT", 6), ("Psychologist", 14)),
}

# Session fees relative to the national middle: rent and incomes differ a lot.
STATE_FEE_FACTOR = {
    "CA": 1.2,
    "NY": 1.25,
    "MA": 1.15,
    "DC": 1.2,
    "WA": 1.1,
    "NJ": 1.1,
    "CT": 1.1,
    "HI": 1.1,
    "CO": 1.05,
    "MD": 1.05,
    "IL": 1.05,
    "OR": 1.05,
    "VA": 1.0,
    "MN": 1.0,
    "MS": 0.8,
    "AR": 0.8,
    "WV": 0.8,
    "AL": 0.85,
    "KY": 0.85,
    "OK": 0.85,
    "LA": 0.85,
    "SD": 0.85,
    "ND": 0.9,
    "NE": 0.9,
    "IA": 0.9,
    "KS": 0.9,
    "MO": 0.9,
    "IN": 0.9,
    "PR": 0.7,
}
# (min low, min high, spread choices) per category; associates are cheaper.
FEE_BANDS = {
    "counselor": (95, 150),
    "social": (100, 160),
    "mft": (110, 170),
    "psychologist": (160, 250),
    "psychiatrist": (250, 400),
    "pmhnp": (170, 260),
    "associate": (55, 110),
}
FEE_SPREADS = (0, 0, 10, 20, 25, 30, 40, 50, 60, 80, 100)
