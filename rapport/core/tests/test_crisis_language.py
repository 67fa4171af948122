"""The crisis-language check on free text, measured on a labelled fixture.

domain.md §3.3: the action on a match is a banner with 988, 911 and the
Crisis Text Line, never a block, so the check is tuned for recall. Every
positive phrase below must be flagged (recall 100%); precision is measured
and printed, and the negatives it flags anyway are listed as known false
alarms, so a change that adds new ones is a decision, not an accident.

Labels: negations ("I'm not suicidal, but"), other people's words ("my friend
said she wants to die"), quotes, jokes about overdosing and misspellings are
positive (a person who brings it up is close to it). Idioms ("killing it at
work", "this traffic is killing me", "dying to know") are negative.
"""

from __future__ import annotations

import pytest

from rapport.core.crisis_language import mentions_crisis

POSITIVE = [
    # Direct statements, and the ways people type them
    "I want to kill myself",
    "I want to die",
    "Suicide crossed my mind again this week",
    "I've had suicidal thoughts since I was a teen",
    "I'm going to end my life tonight",
    "thinking about ending it all",
    "I don't want to be here anymore",
    "dont want to live anymore",
    "I DON’T WANT TO LIVE",  # capitals and a curly apostrophe
    "ready to die",
    "I wish I were dead",
    "no reason to live",
    "life isn't worth living",
    "everyone would be better off without me",
    "I can't go on like this",
    "I can't do this anymore",
    # Negations and hedges still count
    "I'm not suicidal but I think about dying a lot",
    "I'm not suicidal but I've thought about how I'd do it",
    "I'm not going to hurt myself, I just need someone to talk to",
    # Other people's words, and quotes
    "my friend said she wants to die",
    "My daughter told me she wants to die and I don't know what to do",
    "my friend is talking about killing herself",
    'He keeps saying "I\'d be better off dead"',
    'She texted me "I want to die" at 3am',
    "grief after my brother's suicide",
    # Misspellings and slang
    "sucidal thoughts every night",
    "suicidial since the divorce",
    "been having sucide thoughts",
    "sewer slide thoughts again",
    "i wanna kms",
    "kms fr, everything is too much",
    "I want to unalive myself",
    "ngl been thinking about unaliving myself",
    # Means and method words, with quantities
    "took 30 tylenol last week and ended up in the ER",
    "I took 200mg of xanax once to see if I'd wake up",
    "a whole bottle of pills is sitting on my nightstand",
    "I was thinking about taking all my pills",
    "I've been stockpiling my pills",
    "I took a bunch of pills last night",
    "a handful of sleeping pills would do it",
    "took fifty advil",
    "\U0001f48a\U0001f48a\U0001f48a",
    "I've been looking up the lethal dose of acetaminophen",
    "I bought a rope",
    "I keep my rifle by the bed and some nights I think about putting it to my head",
    "thinking about shooting myself",
    "thinking of hanging myself",
    "I keep thinking about jumping off the bridge on my commute",
    "I've thought about driving my car into a tree",
    "I overdosed last year and I'm scared it'll happen again",
    "OD'd twice this year",
    "overdosed on caffeine lol",
    # Plans, timing, farewells
    "tonight is the night",
    "I have a plan and a date",
    "goodbye forever",
    "I'm saying goodbye to everyone",
    "I wrote a goodbye letter to my family",
    "I already wrote the goodbye letters",
    "I gave away my things this weekend",
    "I won't be around much longer",
    # Indirect, passive wishes
    "I want to go to sleep and never wake up",
    "I go to bed hoping I don't wake up",
    "I don't want to wake up tomorrow",
    "what's the point of living",
    "I'm so tired of living",
    "I just want to disappear forever",
    "I feel like a burden to everyone",
    "I don't see a way out",
    "I wish I didn't exist",
    # Self-harm
    "I've been cutting again",
    "I hurt myself when I get overwhelmed",
    "I self harm when I'm anxious",
    "I've been starving myself on purpose",
    # Danger from others, to others, to a child
    "my husband hits me when he drinks",
    "he said he will kill me if I leave",
    "he'll kill me if he finds out I told you",
    "she chokes me during fights",
    "I'm not safe at home",
    "I'm scared I'll hurt my baby",
    "I'm afraid I might hurt someone",
    "I'm going to kill him",
    "my uncle touched my daughter",
    "I think my son was molested at camp",
    # Spanish (988 answers in Spanish; the form accepts any language)
    "Ya no quiero vivir",
    "me quiero morir",
    "a veces pienso en suicidarme",
    "mi esposo me pega",
]

NEGATIVE = [
    "I'm killing it at work but still anxious",
    "this job is killing me",
    "this traffic is killing me",
    "my feet are killing me after nursing shifts",
    "I'm dying to find a good therapist",
    "I'm dying to know if you take Aetna",
    "I'm dying of laughter at my own jokes, but I'm lonely",
    "I'm going to die of embarrassment if my parents find out I'm in therapy",
    "dead tired after work every day",
    "the dead of winter makes me sad",
    "I feel dead inside since the miscarriage",
    "my cutting board is the only thing I've bought for my new place",
    "cutting ties with my toxic family",
    "I've been cutting back on sugar and caffeine",
    "I could kill for a good night's sleep",
    "my boss is going to kill me if I'm late again",
    "I take my pills every morning with breakfast",
    "I took 2 advil for a headache",
    "I'm taking 20 mg of Prozac",
    "I take 100mg of sertraline and it helps",
    "I want to end things with my boyfriend",
    "I'm in danger of failing chemistry",
    "please hit me up by text",
    "Suicide Squad is my favourite movie",
    "I have a plan for my career but need support",
    "ran 10 kms this morning and still can't sleep",
    "my optometrist (OD) said my eyes are fine",
    "I cut myself a slice of cake and felt guilty",
    "I'm hanging in there",
    "my kid keeps jumping in front of the TV",
    "killing time between classes",
    "I want to learn DBT skills for emotional regulation",
    "I lost my mom to cancer last spring",
    "my dog died and I can't stop crying",
    "I'm burned out and overwhelmed",
    "We fight about money constantly",
    "I need help with ADHD and procrastination",
    "I'm not in crisis, just stressed about exams",
    "The pills my psychiatrist gave me make me sleepy",
    "my teen is obsessed with video games",
    "looking for a therapist who takes Medicaid",
    "I'm a veteran looking for someone who understands military life",
    "I feel hopeless about finding a job",
    "My kid shot up three inches this year",
    "panic on the subway, I honestly think I'm dying every time",
]

# Negatives the lexicon flags today: the price of recall (a banner shown to
# someone who did not need it). Listed so that a new one is noticed.
KNOWN_FALSE_ALARMS = {
    "I've been cutting back on sugar and caffeine",
    "I take 100mg of sertraline and it helps",
    "I want to end things with my boyfriend",
    "I'm in danger of failing chemistry",
    "please hit me up by text",
    "Suicide Squad is my favourite movie",
    "I have a plan for my career but need support",
    "ran 10 kms this morning and still can't sleep",
    "my optometrist (OD) said my eyes are fine",
    "I cut myself a slice of cake and felt guilty",
    "my kid keeps jumping in front of the TV",
}


def test_the_fixture_is_big_enough_and_labelled_once() -> None:
    assert len(POSITIVE) >= 60 and len(NEGATIVE) >= 40
    assert len(set(POSITIVE)) == len(POSITIVE) and len(set(NEGATIVE)) == len(NEGATIVE)
    assert not set(POSITIVE) & set(NEGATIVE)
    assert set(NEGATIVE) >= KNOWN_FALSE_ALARMS


@pytest.mark.parametrize("text", POSITIVE)
def test_it_flags_crisis_language(text: str) -> None:
    assert mentions_crisis(text), f"missed: {text!r}"


def test_recall_is_complete_and_precision_is_reported() -> None:
    missed = [t for t in POSITIVE if not mentions_crisis(t)]
    alarms = [t for t in NEGATIVE if mentions_crisis(t)]
    hits = len(POSITIVE) - len(missed)
    recall = hits / len(POSITIVE)
    precision = hits / (hits + len(alarms)) if hits + len(alarms) else 1.0
    # Shown with `pytest -s`; the figures are quoted in docs/matching.md.
    print(
        f"\ncrisis lexicon: recall {recall:.1%} ({hits}/{len(POSITIVE)}), "
        f"precision {precision:.1%}, false alarms {len(alarms)}/{len(NEGATIVE)} negatives"
    )
    assert missed == [], f"recall {recall:.1%}; missed {missed}"


def test_no_new_false_alarms() -> None:
    alarms = {t for t in NEGATIVE if mentions_crisis(t)}
    assert alarms <= KNOWN_FALSE_ALARMS, f"new false alarms: {sorted(alarms - KNOWN_FALSE_ALARMS)}"


@pytest.mark.parametrize(
    "text", [None, "", "   ", "anxiety and depression", "I need a CBT therapist"]
)
def test_ordinary_or_empty_text_is_not_flagged(text: str | None) -> None:
    assert not mentions_crisis(text)
