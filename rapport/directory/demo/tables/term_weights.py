"""How often each taxonomy term appears on a profile, and how a term reads in a sentence.

Data only, keyed by taxonomy slug or by a word in the slug; `terms.py` turns
it into weighted tables over the terms the taxonomy actually has, so a slug
renamed in the taxonomy only loses its weight, never breaks generation.
"""

from __future__ import annotations

PROPER_WORDS = {
    "Black",
    "Latine",
    "Latinx",
    "Asian",
    "Native",
    "Indigenous",
    "Christian",
    "Jewish",
    "Muslim",
    "Tourette",
    "Asperger",
    "American",
}


# Where the taxonomy's name does not fit "helping people with ___".
ISSUE_PHRASES = {
    "self-esteem": "low self-esteem",
    "sexual-health": "sexual concerns",
    "psychosis-schizophrenia": "psychosis",
    "identity-exploration": "questions of identity",
    "gender-identity": "questions about gender identity",
    "consensual-non-monogamy": "non-monogamy",
    "mens-issues": "the pressures men face",
    "womens-issues": "the pressures women face",
    "lgbtq-concerns": "LGBTQ+ concerns",
    "racial-cultural-identity": "racial and cultural identity",
    "chronic-illness-chronic-pain": "chronic illness and pain",
    "existential-spiritual-concerns": "existential and spiritual questions",
    # Names that are a filter label, not something a person "is dealing with".
    "couples-marital": "strain in a marriage or partnership",
    "premarital": "preparing for marriage",
    "perinatal-postpartum-mood": "pregnancy and postpartum mood changes",
    "sleep-insomnia": "insomnia and sleep problems",
    "disability-adjustment": "adjusting to a disability",
    "academic-school-issues": "school and academic stress",
    "emotional-regulation": "intense emotions",
    "anger-management": "anger",
    "gambling": "problem gambling",
    "suicide-loss": "losing someone to suicide",
    "dissociation-did": "dissociation",
    "sexual-trauma": "sexual trauma",
    "domestic-violence": "domestic violence",
    "arfid": "avoidant/restrictive eating (ARFID)",
    "personality-disorders": "personality disorders",
    "infertility-family-building": "infertility",
    "retirement-aging": "retirement and aging",
    "child-behavioral-issues": "behavior problems",
    "oppositional-defiance": "defiant behavior",
}


# Directories list the common concerns far more often than the rare ones.
ISSUE_TOP = {
    "anxiety": 14,
    "depression": 12,
    "relationship-issues": 9,
    "trauma-ptsd": 9,
    "stress": 6,
    "self-esteem": 5,
    "life-transitions": 5,
    "grief-bereavement": 4,
    # Listed far beyond the specialists (affinities.SPECIALTIES), as in real directories.
    "obsessive-compulsive-disorder": 2,
    "eating-disorders": 2,
}
ISSUE_COMMON = (
    "anxiety",
    "depress",
    "trauma",
    "relationship",
    "burnout",
    "stress",
    "grief",
    "self-esteem",
    "adhd",
    "parenting",
    "family",
    "career",
    "lgbtq",
    "transition",
    "perfection",
    "panic",
    "identity",
    "body-image",
    "emotional-regulation",
)
CHILD_WORDS = (
    "school-refusal",
    "bullying",
    "selective-mutism",
    "oppositional",
    "peer-relation",
    "tic-disorder",
    "tourette",
    "parent-child",
    "conduct",
)
COUPLES_WORDS = (
    "couple",
    "marital",
    "premarital",
    "infidelity",
    "divorce",
    "non-monogamy",
    "sexual-health",
)
# Exact taxonomy slugs; anything not listed weighs 0.6 (a slug renamed in the
# taxonomy only loses its weight, never breaks generation).
APPROACH_WEIGHTS = {
    "cognitive-behavioral-therapy": 12,
    "acceptance-and-commitment-therapy": 7,
    "person-centered-therapy": 7,
    "psychodynamic-therapy": 7,
    "trauma-informed-care": 7,
    "eye-movement-desensitization-and-reprocessing": 7,
    "internal-family-systems": 6,
    "integrative-therapy": 6,
    "relational-therapy": 6,
    "dialectical-behavior-therapy": 5,
    "solution-focused-brief-therapy": 5,
    "mindfulness-based-cognitive-therapy": 4,
    "motivational-interviewing": 4,
    "strength-based-therapy": 4,
    "attachment-based-therapy": 4,
    "culturally-responsive-therapy": 4,
    "narrative-therapy": 3,
    "emotion-focused-therapy": 3,
    "somatic-experiencing": 3,
    "somatic-therapy": 3,
    "compassion-focused-therapy": 3,
    "interpersonal-psychotherapy": 3,
    "cognitive-processing-therapy": 2.5,
    "exposure-and-response-prevention": 2,
    "behavioral-activation": 2,
    "positive-psychology": 2,
    "feminist-therapy": 2,
    "existential-therapy": 2,
    "brainspotting": 2,
    "mindfulness-based-stress-reduction": 2,
    "gestalt-therapy": 1.5,
    "schema-therapy": 1.5,
    "cognitive-behavioral-therapy-for-insomnia": 1,
    "prolonged-exposure-therapy": 1,
    "applied-behavior-analysis": 0.1,
    "psychedelic-integration": 0.3,
    "adventure-therapy": 0.3,
    # affinities.ANTICIPATED: used once the taxonomy has them.
    "cbt-for-psychosis": 0.5,
    "contingency-management": 0.5,
    "seeking-safety": 0.8,
}
# Only with couples / only with children / mostly with families.
APPROACH_COUPLES = {
    "emotionally-focused-couples-therapy": 6,
    "gottman-method": 6,
    "imago-relationship-therapy": 3,
    "discernment-counseling": 2,
    "sex-therapy": 2,
    "pact": 1,  # affinities.ANTICIPATED: used once the taxonomy has the term
    "ibct": 1,
}
APPROACH_CHILD = {
    "play-therapy": 6,
    "trauma-focused-cognitive-behavioral-therapy": 4,
    "sandtray-therapy": 3,
    "parent-child-interaction-therapy": 3,
    "comprehensive-behavioral-intervention-for-tics": 0.5,
    # Family-based treatment is for children and teens with eating disorders (APA 2023
    # eating-disorder guideline; see affinities.py), not for adults seen alone.
    "family-based-treatment": 1,
    "parent-management-training": 2,
}
APPROACH_FAMILY = {
    "bowen-family-systems-therapy": 3,
    "structural-family-therapy": 3,
    "strategic-family-therapy": 2,
}
# A taxonomy group whose approaches need couples or families in the room: one this file
# does not list yet is drawn only for profiles offering couples or family sessions.
SYSTEMIC_GROUP = "Couples & family"
APPROACH_PRESCRIBER = ("medication", "psychopharmacology")


INSURANCE_WEIGHTS = (
    ("aetna", 10),
    ("cigna", 10),
    ("evernorth", 6),
    ("united", 9),
    ("optum", 8),
    ("blue-cross", 10),
    ("bcbs", 10),
    ("anthem", 7),
    ("medicare", 6),
    ("medicaid", 5),
    ("tricare", 4),
    ("humana", 4),
    ("magellan", 3),
    ("carelon", 3),
    ("oscar", 3),
    ("ambetter", 3),
    ("molina", 3),
    ("out-of-network", 6),
    ("superbill", 5),
    ("hsa", 2),
    ("lyra", 2),
    ("spring-health", 2),
    ("compsych", 2),
)
# Regional payers only appear where they sell plans: (slug word, states).
INSURANCE_REGIONS = (
    ("kaiser", "CA OR WA CO GA HI MD VA DC"),
    ("medi-cal", "CA"),
    ("blue-shield-of-california", "CA"),
    ("masshealth", "MA"),
    ("premera", "WA AK"),
    ("regence", "OR WA ID UT"),
    ("emblem", "NY"),
    ("mvp", "NY VT"),
    ("excellus", "NY"),
    ("horizon", "NJ"),
    ("carefirst", "MD DC VA"),
    ("highmark", "PA WV DE NY"),
    ("independence", "PA NJ"),
    ("wellmark", "IA SD"),
    ("florida-blue", "FL"),
    ("harvard-pilgrim", "MA NH ME CT RI"),
    ("tufts", "MA NH ME CT RI"),
    ("point32", "MA NH ME CT RI"),
    ("priority-health", "MI"),
    ("healthpartners", "MN WI"),
    ("medica", "MN WI NE ND SD IA"),
    ("providence", "OR WA"),
    ("pacificsource", "OR ID MT WA"),
    ("moda", "OR AK TX"),
    ("geisinger", "PA"),
    ("upmc", "PA"),
    ("texas", "TX"),
    ("illinois", "IL"),
    ("michigan", "MI"),
    ("massachusetts", "MA"),
    ("north-carolina", "NC"),
    ("oxford", "NY NJ CT"),
    ("health-net", "CA AZ OR"),
    ("california", "CA"),
    ("new-york", "NY"),
)
LANGUAGE_WEIGHTS = {
    "es": 40,
    "zh": 6,
    "vi": 4,
    "ko": 3,
    "tl": 3,
    "ar": 3,
    "ru": 3,
    "fr": 4,
    "pt": 3,
    "hi": 3,
    "de": 2,
    "he": 2,
    "fa": 2,
    "ja": 1.5,
    "pl": 1.5,
    "ht": 1.5,
    "uk": 1.5,
    "it": 1.5,
    "el": 1,
    "asl": 2,
    "sgn": 2,
    "ase": 2,
}
SPANISH_STATES = {
    "TX": 0.2,
    "CA": 0.2,
    "FL": 0.18,
    "AZ": 0.15,
    "NM": 0.2,
    "NY": 0.12,
    "NJ": 0.12,
    "IL": 0.1,
    "NV": 0.12,
    "CO": 0.1,
    "PR": 0.97,
}
GENDER_IDENTITY = {
    "woman": ("woman", "women", "female", "cisgender-woman"),
    "man": ("man", "men", "male", "cisgender-man"),
    "nonbinary": ("nonbinary", "non-binary", "genderqueer"),
}
# Which taxonomy slug stands for each age band and format: the first candidate
# the taxonomy has, else the first slug containing one.
AGE_SLUGS = {
    "children": ("children", "child", "kids"),
    # The narrower groups inside "children" (ages.toml's attributes.parent): listed with it.
    "young": ("young-children",),
    "preteens": ("preteens", "preteen"),
    "teens": ("teens", "teen", "adolescent"),
    "adults": ("adults", "adult"),
    "older": ("older-adults", "older", "senior", "elder"),
}
FORMAT_SLUGS = {
    "individual": ("individual",),
    "couples": ("couples", "couple"),
    "family": ("family",),
    "group": ("group",),
}
