"""Free text to issues: "I can't sleep and I fight with my partner" -> sleep, relationships.

Two sources: every issue's name and aliases from the taxonomy (through the
search's term dictionary), and the curated phrases below for how people actually
say things. The result is shown back as chips the person can remove; it is
a suggestion, never a diagnosis.
"""

from __future__ import annotations

import re

from rapport.directory import index as ix
from rapport.directory.search import fold_words, term_dictionary

# Folded phrase (words separated by spaces, apostrophes dropped) -> issue slugs.
CURATED: dict[str, tuple[str, ...]] = {
    "cant sleep": ("sleep-insomnia",),
    "can not sleep": ("sleep-insomnia",),
    "trouble sleeping": ("sleep-insomnia",),
    "not sleeping": ("sleep-insomnia",),
    "nightmares": ("trauma-ptsd", "sleep-insomnia"),
    "flashbacks": ("trauma-ptsd",),
    "panic": ("panic-attacks",),
    "heart racing": ("panic-attacks",),
    "worry all the time": ("generalized-anxiety",),
    "worried all the time": ("generalized-anxiety",),
    "overthinking": ("anxiety",),
    "nervous": ("anxiety",),
    "on edge": ("anxiety",),
    "fighting with my partner": ("relationship-issues", "couples-marital"),
    "fight with my partner": ("relationship-issues", "couples-marital"),
    "arguing with my partner": ("relationship-issues", "couples-marital"),
    "my marriage": ("couples-marital",),
    "my husband": ("relationship-issues",),
    "my wife": ("relationship-issues",),
    "my boyfriend": ("relationship-issues",),
    "my girlfriend": ("relationship-issues",),
    "breakup": ("relationship-issues", "life-transitions"),
    "break up": ("relationship-issues", "life-transitions"),
    "cheated": ("infidelity",),
    "affair": ("infidelity",),
    "getting divorced": ("divorce-separation",),
    "lost my": ("grief-bereavement",),
    "passed away": ("grief-bereavement",),
    "died": ("grief-bereavement",),
    "miscarriage": ("pregnancy-loss",),
    "new baby": ("perinatal-postpartum-mood",),
    "after giving birth": ("perinatal-postpartum-mood",),
    "postpartum": ("perinatal-postpartum-mood",),
    "sad all the time": ("depression",),
    "feel empty": ("depression",),
    "no motivation": ("depression",),
    "hopeless": ("depression",),
    "lonely": ("loneliness",),
    "no friends": ("loneliness",),
    "burned out": ("burnout",),
    "burnt out": ("burnout",),
    "exhausted at work": ("burnout",),
    "hate my job": ("career-work-stress",),
    "my boss": ("workplace-issues",),
    "lost my job": ("career-work-stress", "life-transitions"),
    "stressed": ("stress",),
    "overwhelmed": ("stress",),
    "angry all the time": ("anger-management",),
    "lose my temper": ("anger-management",),
    "drinking too much": ("alcohol-use",),
    "drink too much": ("alcohol-use",),
    "using drugs": ("substance-use",),
    "gambling": ("gambling",),
    "not eating": ("eating-disorders",),
    "binge": ("binge-eating",),
    "purging": ("eating-disorders",),
    "hate my body": ("body-image",),
    "cant focus": ("adhd",),
    "cant concentrate": ("adhd",),
    "intrusive thoughts": ("obsessive-compulsive-disorder",),
    "checking things": ("obsessive-compulsive-disorder",),
    "abused": ("childhood-abuse-neglect", "trauma-ptsd"),
    "assaulted": ("sexual-trauma", "trauma-ptsd"),
    "racism": ("racial-trauma",),
    "discrimination": ("racial-trauma",),
    "coming out": ("coming-out",),
    "transitioning": ("gender-identity",),
    "my teen": ("parenting",),
    "my kid": ("parenting",),
    "my son": ("parenting",),
    "my daughter": ("parenting",),
    "tantrums": ("child-behavioral-issues",),
    "bullied": ("bullying",),
    "my parents": ("family-conflict",),
    "family fights": ("family-conflict",),
    "caring for my": ("caregiver-stress",),
    "chronic pain": ("chronic-illness-chronic-pain",),
    "moved to": ("life-transitions",),
    "new city": ("life-transitions",),
    "retired": ("retirement-aging",),
    "deployment": ("veterans-military-life",),
    "veteran": ("veterans-military-life",),
    "self esteem": ("self-esteem",),
    "not good enough": ("self-esteem",),
    "perfectionist": ("perfectionism",),
}
_CURATED_WORDS = {tuple(phrase.split()): slugs for phrase, slugs in CURATED.items()}
_LONGEST = max(len(k) for k in _CURATED_WORDS)


def _words(text: str) -> list[str]:
    return [w.replace("'", "") for w in fold_words(re.sub(r"[’‘]", "'", text))]


def issues_in_text(text: str, *, state: ix.IndexState | None = None) -> list[str]:
    """Issue slugs suggested by free text, in the order they appear, without repeats."""
    if not text or not text.strip():
        return []
    words = _words(text)
    found: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            slugs = _CURATED_WORDS.get(tuple(words[i : i + size]))
            if slugs:
                found.extend(s for s in slugs if s not in found)
                i += size
                break
        else:
            i += 1
    detected, _rest = term_dictionary(state or ix.get_index()).split_text(text)
    found.extend(s for s in detected.get("issues", []) if s not in found)
    known = term_dictionary(state or ix.get_index()).labels
    return [slug for slug in found if ("issue", slug) in known]
