"""Crisis language in free text: show help prominently, never block, never store.

A conservative lexicon tuned for recall (domain.md §3.2-3.3): the action it
triggers (showing 988, 911 and the Crisis Text Line at the top of the next
screen) costs little when wrong and matters a great deal when right. It
looks for suicide and self-harm language, plans and means (including
medication names with quantities), farewell timing ("tonight", "goodbye"),
harm to others and abuse of a child. It returns a yes or no; it never scores
a person, and callers must not store the result with anything that identifies
them.

Negations ("I'm not suicidal") and other people's words ("my friend said she
wants to die") still count: a person who brings it up is close to it, and
recall matters more than precision here.
"""

from __future__ import annotations

import re

from rapport.core.text import fold

# Whole phrases, matched on folded text with flexible spacing and apostrophes.
_PHRASES = [
    # suicide and wanting to die
    r"suicid\w*", r"kill(ing)? (my|him|her|them) ?sel(f|ves)", r"killing themselves",
    r"(end|ending) (it all|my life|things|everything)", r"take my (own )?life", r"taking my (own )?life",
    r"want(ed|ing)? to die", r"wanna die", r"wish (i was|i were|to be) dead", r"better off dead",
    r"better off without me", r"no reason to (live|go on)", r"don'?t want to (live|be alive|be here)",
    r"not want to (live|be alive|be here)", r"can'?t go on", r"cannot go on", r"can'?t do this anymore",
    r"(life|living) is(n'?t| not) worth", r"not worth living", r"ready to die", r"going to die tonight",
    r"unaliv\w*", r"kms", r"kys", r"su?ic?ide?\w*", r"sucid\w*", r"sewer ?slide",
    r"(wants?|wanted|wanting) to die", r"never wake up", r"hoping i (don'?t|won'?t) wake up",
    r"(don'?t|not) want to wake up", r"(what'?s|what is) the point (of|in) (living|life|going on)",
    r"tired of (living|being alive|life)", r"disappear (forever|for good)",
    r"(a|such a) burden (to|on) (everyone|everybody|my family|them)",
    r"(don'?t|can'?t) see a way out", r"no way out", r"wish i (didn'?t|did not|never) exist\w*",
    r"wish i (had never|was never|wasn'?t) born",
    # Spanish: the Lifeline answers in Spanish too, and so should we.
    r"no quiero vivir", r"quiero morir(me)?", r"matarme", r"suicidarme",
    r"me (pega|golpea|pegan|golpean)", r"hacerme dano",
    # self-harm
    r"self[- ]?harm\w*", r"hurt(ing)? my ?self", r"cut(ting)? my ?self",
    r"(been|started|start|keep|still) cutting", r"cutting (again|my (arms?|wrists?|legs?|skin))",
    r"burn(ing)? my ?self",
    r"harm(ing)? my ?self", r"starv(e|ing) my ?self",
    # plans, means, farewells
    r"overdos\w*", r"\bod\b", r"pills? to (die|end)", r"(whole|entire) (bottle|bottles|pack)",
    r"stockpil\w*", r"(took|taking|swallowed) (a bunch|a lot|all) of (my )?(pills|meds|medication)",
    r"lethal dose", r"how many (pills|tablets)", r"bought a (rope|gun)",
    r"(putting|put|hold|holding) (it|a gun|the gun) to my head", r"shoot(ing)? my ?self",
    r"(driv\w*|crash\w*) (my car )?into (a )?(tree|wall|traffic)", r"goodbye forever",
    r"goodbye (letters?|notes?)",
    r"(hang|hanging) my ?self", r"noose", r"jump(ing)? (off|from|in front)", r"in front of a (train|car|bus)",
    r"(gun|rifle|pistol|firearm).{0,20}(myself|head|end)", r"wrote (a|my) (note|letter).{0,20}(goodbye|family)",
    r"goodbye (note|letter)", r"suicide note", r"say(ing)? goodbye (to everyone|forever)",
    r"(giving|gave) away my (things|stuff|belongings)", r"won'?t be (here|around) (tomorrow|much longer)",
    r"tonight('s| is) the night", r"(plan|planning|plans) to (die|end|kill)", r"have a plan",
    r"antifreeze", r"bleach to (die|drink)",
    # harm to others, danger, abuse of a child
    r"kill (him|her|them|someone|somebody|my (husband|wife|partner|boyfriend|girlfriend|father|mother|dad|mom))",
    r"hurt (someone|somebody|people|my (kid|kids|child|children|baby))",
    r"shoot (up|people|someone)", r"(he|she|they) (will|is going to|might) kill me",
    r"(he|she|they)'?ll kill me", r"afraid for my life",
    r"in danger", r"not safe at home", r"(hit|hits|beat|beats|choke|chokes|chokes me|strangl\w*) me",
    r"(touch|touches|touched|abus\w*) (my|a) (child|kid|son|daughter)",
    r"(molest\w*|sexually abus\w*)",
]  # fmt: skip
_PATTERN = re.compile(r"\b(?:" + "|".join(_PHRASES) + r")\b")
# Medication names with a quantity ("30 tylenol", "a bottle of advil", "800mg"):
# in Crisis Text Line's data these predicted danger more than the word "suicide".
_MEDICATION = (
    r"(tylenol|acetaminophen|paracetamol|advil|ibuprofen|excedrin|aspirin|benadryl|xanax|ambien|"
    r"klonopin|valium|ativan|oxy\w*|percocet|vicodin|fentanyl|insulin|lithium|sleeping pills?|pills?)"
)
_QUANTITY = re.compile(
    r"\b(\d{2,}|a (whole )?bottle of|all (of )?my|a handful of|(twenty|thirty|forty|fifty|hundred))\s*(mg\s*)?(of\s*)?"
    + _MEDICATION
    + r"|\b\d{3,}\s*mg\b"
)
_PILL_EMOJI = "\U0001f48a"


def _fold(text: str) -> str:
    folded = fold(text)
    return re.sub(r"[’‘`]", "'", re.sub(r"\s+", " ", folded))


def mentions_crisis(text: str | None) -> bool:
    """True when the text contains crisis language (see module docstring)."""
    if not text:
        return False
    if _PILL_EMOJI in text:
        return True
    folded = _fold(text)
    return bool(_PATTERN.search(folded) or _QUANTITY.search(folded))
