"""What goes with what in the field: approaches and the problems they treat, licences and
their leanings, and the specialties every large city has.

Data only. `terms.py` resolves every slug here against the taxonomy: a slug the taxonomy
lacks (renamed, or not added yet) is skipped, and a taxonomy term with no entry here is
drawn with the default weights of `term_weights.py`, as before. Keys listed in
ANTICIPATED are terms the taxonomy is expected to gain (issue #14's list of gaps); their
likely slugs are tried in order, so the demo uses them as soon as they exist.

Sources, cited per entry: "domain.md §x" is docs/domain.md; the guidelines are
- APA-PTSD: APA Clinical Practice Guideline for the Treatment of PTSD (2017): strong for
  CBT, CPT, cognitive therapy and PE; conditional for EMDR, brief eclectic and narrative
  exposure therapy.
- VA/DoD-PTSD: VA/DoD Clinical Practice Guideline for PTSD (2023): CPT, PE and EMDR
  recommended; written exposure therapy (WET) added.
- APA-OCD: APA Practice Guideline for OCD (2007, watch 2013): CBT with exposure and
  response prevention (ERP) is a first-line treatment.
- APA-BPD: APA Practice Guideline for Borderline Personality Disorder (2024): DBT and
  mentalization-based treatment have the most evidence; TFP and schema therapy also.
- APA-DEP: APA Clinical Practice Guideline for Depression (2019): CBT, IPT, behavioral
  activation, psychodynamic therapy among the recommended psychotherapies; NICE NG222
  (2022) recommends MBCT for preventing relapse.
- APA-ED: APA Practice Guideline for Eating Disorders (2023): family-based treatment for
  adolescents with anorexia or bulimia; CBT for bulimia and binge-eating disorder.
- ACP-INS: American College of Physicians guideline (2016) and AASM (2021): CBT-I is the
  first-line treatment for chronic insomnia in adults.
- SAMHSA-TIP35: SAMHSA TIP 35, Enhancing Motivation for Change in Substance Use Disorder
  Treatment (2019): motivational interviewing.
- TF-CBT: Cohen, Mannarino & Deblinger; NCTSN and AACAP practice parameter (2010):
  trauma-focused CBT is for children and teens (3-18) with their caregivers.
- AAN-TICS: American Academy of Neurology guideline (2019): CBIT for tics and Tourette.
- CEBC: California Evidence-Based Clearinghouse ratings for PCIT (children 2-7 with
  disruptive behavior) and parent management training.
- Couples: Gottman Institute and ICEEFT (the models' own training bodies); Doherty's
  discernment counseling (couples where one partner leans toward divorce); AASECT for sex
  therapy; Wiebe & Johnson (2016) review of EFT outcomes.
- NICE-PSY: NICE CG178 (2014): CBT for psychosis (CBTp) and family intervention.
- Najavits (2002): Seeking Safety, for trauma with substance use.
- Jobes (2016): CAMS is a framework for suicidal patients.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Slugs the taxonomy may add, by the key this file uses: the first one the taxonomy has is
# used (issue #14 asks for these terms; the names in the issue, slugified a few ways).
ANTICIPATED: dict[str, tuple[str, ...]] = {
    # Issues
    "testing-and-evaluation": (
        "testing-and-evaluation",
        "psychological-testing-and-evaluation",
        "psychological-testing",
        "testing-evaluation",
        "psychological-assessment",
    ),
    "medication-management": ("medication-management",),
    "dual-diagnosis": ("dual-diagnosis", "co-occurring-disorders"),
    "conduct-problems": ("conduct-problems", "conduct-disorder"),
    "impulse-control": ("impulse-control", "impulse-control-disorders"),
    "coping-skills": ("coping-skills",),
    "dementia": ("dementia",),
    "pmdd": ("pmdd", "premenstrual-dysphoric-disorder"),
    # Approaches
    "cbt-for-psychosis": (
        "cognitive-behavioral-therapy-for-psychosis",
        "cbt-for-psychosis",
        "cbtp",
    ),
    "contingency-management": ("contingency-management",),
    "seeking-safety": ("seeking-safety",),
    "parent-management-training": (
        "parent-management-training",
        "behavioral-parent-training",
    ),
    "pact": (
        "psychobiological-approach-to-couple-therapy",
        "psychobiological-approach-to-couples-therapy",
        "pact",
    ),
    "ibct": (
        "integrative-behavioral-couple-therapy",
        "integrative-behavioral-couples-therapy",
    ),
}


# Approach -> the issues it is mostly used for: (issue, probability). A profile that lists
# the approach also lists each issue with that probability (if its context allows the issue:
# no child's issue on an adults-only profile). Approaches not here add nothing.
APPROACH_ISSUES: dict[str, tuple[tuple[str, float], ...]] = {
    # APA-OCD; ERP is also the core of treatment for hoarding and BFRBs (habit reversal).
    "exposure-and-response-prevention": (
        ("obsessive-compulsive-disorder", 0.85),
        ("anxiety", 0.3),
        ("health-anxiety", 0.1),
        ("body-focused-repetitive-behaviors", 0.1),
        ("hoarding", 0.05),
    ),
    # Exposure is the common element of treatments for phobias, panic and social anxiety.
    "exposure-therapy": (
        ("phobias", 0.45),
        ("anxiety", 0.45),
        ("panic-attacks", 0.3),
        ("social-anxiety", 0.25),
        ("obsessive-compulsive-disorder", 0.2),
    ),
    # APA-BPD; DBT was built for chronic suicidality and self-harm (Linehan).
    "dialectical-behavior-therapy": (
        ("emotional-regulation", 0.55),
        ("borderline-personality-disorder", 0.45),
        ("self-harm", 0.45),
        ("suicidal-thoughts", 0.3),
    ),
    "mentalization-based-treatment": (
        ("borderline-personality-disorder", 0.75),
        ("personality-disorders", 0.3),
    ),
    "transference-focused-psychotherapy": (
        ("borderline-personality-disorder", 0.75),
        ("personality-disorders", 0.35),
    ),
    "schema-therapy": (
        ("personality-disorders", 0.4),
        ("borderline-personality-disorder", 0.35),
        ("relationship-issues", 0.2),
    ),
    # Jobes (2016).
    "collaborative-assessment-and-management-of-suicidality": (
        ("suicidal-thoughts", 0.95),
        ("self-harm", 0.35),
    ),
    # APA-PTSD, VA/DoD-PTSD.
    "eye-movement-desensitization-and-reprocessing": (
        ("trauma-ptsd", 0.85),
        ("complex-trauma", 0.25),
        ("anxiety", 0.15),
    ),
    "cognitive-processing-therapy": (
        ("trauma-ptsd", 0.9),
        ("sexual-trauma", 0.3),
        ("veterans-military-life", 0.25),
    ),
    "prolonged-exposure-therapy": (
        ("trauma-ptsd", 0.9),
        ("sexual-trauma", 0.2),
        ("veterans-military-life", 0.25),
    ),
    "written-exposure-therapy": (("trauma-ptsd", 0.9),),
    # TF-CBT; the approach table keeps it to profiles that see children or teens.
    "trauma-focused-cognitive-behavioral-therapy": (
        ("trauma-ptsd", 0.85),
        ("childhood-abuse-neglect", 0.4),
    ),
    # Listed by practitioners for trauma although the evidence is limited (approaches.toml).
    "brainspotting": (("trauma-ptsd", 0.65), ("complex-trauma", 0.2)),
    "somatic-experiencing": (("trauma-ptsd", 0.65), ("complex-trauma", 0.2)),
    "sensorimotor-psychotherapy": (("trauma-ptsd", 0.65), ("complex-trauma", 0.25)),
    # Najavits (2002).
    "seeking-safety": (("trauma-ptsd", 0.8), ("substance-use", 0.75)),
    # Couples (the models' training bodies); the approach table keeps them to couples work.
    "emotionally-focused-couples-therapy": (
        ("relationship-issues", 0.6),
        ("couples-marital", 0.6),
        ("infidelity", 0.15),
    ),
    "gottman-method": (
        ("relationship-issues", 0.6),
        ("couples-marital", 0.6),
        ("premarital", 0.25),
    ),
    "imago-relationship-therapy": (("relationship-issues", 0.6), ("couples-marital", 0.5)),
    "pact": (("relationship-issues", 0.6), ("couples-marital", 0.5)),
    "ibct": (("relationship-issues", 0.6), ("couples-marital", 0.5)),
    "discernment-counseling": (("divorce-separation", 0.8), ("couples-marital", 0.5)),
    "sex-therapy": (("sexual-health", 0.85), ("relationship-issues", 0.3)),
    # Family therapies (domain.md §6a "Couples & family/systemic").
    "bowen-family-systems-therapy": (("family-conflict", 0.5),),
    "structural-family-therapy": (("family-conflict", 0.5), ("parenting", 0.3)),
    "strategic-family-therapy": (("family-conflict", 0.5), ("child-behavioral-issues", 0.3)),
    # APA-ED; FBT is for children and teens (the approach table keeps it to them).
    "family-based-treatment": (("eating-disorders", 0.9), ("arfid", 0.1)),
    # ACP-INS.
    "cognitive-behavioral-therapy-for-insomnia": (("sleep-insomnia", 0.95),),
    # SAMHSA-TIP35; contingency management is the best-evidenced treatment for stimulant use.
    "motivational-interviewing": (
        ("substance-use", 0.6),
        ("alcohol-use", 0.4),
        ("opioid-use", 0.1),
        ("dual-diagnosis", 0.15),
    ),
    "contingency-management": (("substance-use", 0.85), ("opioid-use", 0.2)),
    # AAN-TICS; CEBC.
    "comprehensive-behavioral-intervention-for-tics": (("tic-disorders-tourette", 0.95),),
    "parent-child-interaction-therapy": (
        ("child-behavioral-issues", 0.75),
        ("oppositional-defiance", 0.4),
        ("parenting", 0.3),
    ),
    "parent-management-training": (
        ("child-behavioral-issues", 0.7),
        ("oppositional-defiance", 0.45),
        ("conduct-problems", 0.35),
        ("parenting", 0.4),
    ),
    # ABA is an autism treatment (approaches.toml says so, and why it is contested).
    "applied-behavior-analysis": (("autism", 0.95),),
    # APA-DEP; NICE NG222.
    "behavioral-activation": (("depression", 0.85),),
    "interpersonal-psychotherapy": (
        ("depression", 0.75),
        ("perinatal-postpartum-mood", 0.2),
        ("grief-bereavement", 0.15),
    ),
    "mindfulness-based-cognitive-therapy": (("depression", 0.65), ("anxiety", 0.3)),
    "mindfulness-based-stress-reduction": (
        ("stress", 0.65),
        ("chronic-illness-chronic-pain", 0.3),
        ("anxiety", 0.3),
    ),
    # ACT's strongest evidence (APA Division 12 list) includes chronic pain.
    "acceptance-and-commitment-therapy": (
        ("anxiety", 0.3),
        ("chronic-illness-chronic-pain", 0.2),
        ("depression", 0.2),
    ),
    "cognitive-behavioral-therapy": (("anxiety", 0.4), ("depression", 0.35)),
    "compassion-focused-therapy": (("self-esteem", 0.4), ("depression", 0.2)),
    # NICE-PSY.
    "cbt-for-psychosis": (("psychosis-schizophrenia", 0.9),),
    # Culturally adapted care (domain.md §1.1, Soto et al. 2018).
    "culturally-responsive-therapy": (
        ("racial-cultural-identity", 0.45),
        ("immigration-acculturation", 0.25),
        ("racial-trauma", 0.15),
    ),
    "feminist-therapy": (("womens-issues", 0.35),),
    "biofeedback-and-neurofeedback": (
        ("anxiety", 0.3),
        ("adhd", 0.2),
        ("chronic-illness-chronic-pain", 0.2),
    ),
    "clinical-hypnosis": (("chronic-illness-chronic-pain", 0.25), ("anxiety", 0.25)),
}

# Approaches that need a child of the right age in the room: PCIT and play therapy are for
# young children (CEBC: PCIT ages 2-7), not for a practice that sees only teens and adults.
APPROACH_NEEDS_CHILDREN = (
    "parent-child-interaction-therapy",
    "play-therapy",
    "parent-management-training",
)


# Approaches that are family work by definition: a profile listing one offers family
# sessions. FBT puts the parents in charge of refeeding (APA-ED); PCIT coaches a parent with
# the child in the room, and parent management training works through the parents (CEBC).
APPROACH_FORMATS = {
    "family-based-treatment": "family",
    "parent-child-interaction-therapy": "family",
    "parent-management-training": "family",
}


# Licence category -> issue weight multipliers (the category is licences.LicenseKind's).
# domain.md §2.1: psychologists are the doctoral, assessment-trained profession (testing and
# evaluation is theirs); prescribers (MD/DO, PMHNP) see the conditions medication treats;
# clinical social workers' training centres on people's circumstances (case management,
# benefits, safety, illness, caregiving); MFTs are licensed to treat couples and families.
LICENSE_ISSUE_WEIGHTS: dict[str, dict[str, float]] = {
    "psychologist": {
        "testing-and-evaluation": 10,
        "learning-differences": 2.5,
        "adhd": 2,
        "autism": 2,
        "traumatic-brain-injury": 2,
        "obsessive-compulsive-disorder": 1.5,
        "personality-disorders": 1.5,
    },
    "psychiatrist": {
        "medication-management": 40,
        "bipolar-disorder": 4,
        "psychosis-schizophrenia": 4,
        "adhd": 2.5,
        "sleep-insomnia": 2,
        "depression": 1.5,
        "dual-diagnosis": 2,
        "relationship-issues": 0.3,
    },
    "pmhnp": {
        "medication-management": 40,
        "bipolar-disorder": 3,
        "psychosis-schizophrenia": 3,
        "adhd": 2.5,
        "sleep-insomnia": 2,
        "depression": 1.5,
        "dual-diagnosis": 2,
        "relationship-issues": 0.3,
    },
    "social": {
        "financial-stress": 2.5,
        "immigration-acculturation": 2,
        "domestic-violence": 2,
        "caregiver-stress": 2,
        "disability-adjustment": 2,
        "adoption-foster-care": 2,
        "chronic-illness-chronic-pain": 1.5,
        "terminal-illness": 1.5,
        "substance-use": 1.5,
        "coping-skills": 2,
        "dual-diagnosis": 1.5,
    },
    "mft": {
        "family-conflict": 2.5,
        "blended-families": 2.5,
        "parenting": 2,
        "co-parenting": 2,
        "relationship-issues": 1.6,
        "premarital": 1.5,
        "infidelity": 1.5,
        "divorce-separation": 1.5,
    },
    "counselor": {
        "career-work-stress": 1.5,
        "academic-school-issues": 1.3,
        "life-transitions": 1.2,
    },
}
# Licence category -> approach weight multipliers. Psychologists are trained in the
# manualised evidence-based therapies (exposure, CPT, PE, CBT-I) far more often than
# master's-level clinicians (APA-PTSD and APA-OCD name psychologists' methods); social work
# teaches strengths-based and solution-focused practice; MFT programmes teach the systemic
# family models; prescribers add therapy to medication visits rather than specialise in it.
LICENSE_APPROACH_WEIGHTS: dict[str, dict[str, float]] = {
    "psychologist": {
        "exposure-and-response-prevention": 2.5,
        "exposure-therapy": 2,
        "cognitive-processing-therapy": 2.5,
        "prolonged-exposure-therapy": 3,
        "cognitive-behavioral-therapy-for-insomnia": 2.5,
        "schema-therapy": 2,
        "mentalization-based-treatment": 2,
        "psychoanalytic-therapy": 1.5,
        "biofeedback-and-neurofeedback": 2,
        "cognitive-behavioral-therapy": 1.3,
    },
    "social": {
        "strength-based-therapy": 2,
        "trauma-informed-care": 1.6,
        "solution-focused-brief-therapy": 1.5,
        "motivational-interviewing": 1.5,
        "culturally-responsive-therapy": 1.5,
        "narrative-therapy": 1.2,
    },
    "mft": {
        "bowen-family-systems-therapy": 2,
        "structural-family-therapy": 2,
        "strategic-family-therapy": 2,
        "narrative-therapy": 1.5,
        "solution-focused-brief-therapy": 1.4,
        "emotionally-focused-couples-therapy": 1.5,
        "gottman-method": 1.5,
        "attachment-based-therapy": 1.3,
    },
    "counselor": {"person-centered-therapy": 1.3, "solution-focused-brief-therapy": 1.2},
    "psychiatrist": {
        "psychodynamic-therapy": 1.5,
        "interpersonal-psychotherapy": 1.5,
        "motivational-interviewing": 1.5,
    },
    "pmhnp": {"motivational-interviewing": 1.5},
}


@dataclass(frozen=True, slots=True)
class Specialty:
    """A kind of practice built around one problem; see SPECIALTIES."""

    name: str
    weight: float
    issues: tuple[tuple[str, float], ...]
    approaches: tuple[tuple[str, float], ...]
    ages: dict[str, float] = field(default_factory=dict)
    formats: tuple[str, ...] = ()
    licences: dict[str, float] = field(default_factory=dict)


# Specialties: some clinicians build a practice around one kind of problem. A specialist
# leads with the specialty's issues and approaches (one or two of each, drawn by weight),
# and the rest of the profile is drawn as for anyone. Specialty clinics and referral
# networks sit in large cities, so specialists are likelier there (SPECIALIST_SHARE), and
# every large metro has some of each (tests/test_demo.py checks the 25 largest).
#   ages: "children" makes a child-focused practice; "teens" sees teens with that chance.
#   formats: formats the specialty always offers.
#   licences: weight multipliers by licence category (missing = 1; 0 = never).
SPECIALIST_SHARE = {"large": 0.35, "other": 0.15}
LARGE_METRO_POPULATION = 500_000
SPECIALTIES: tuple[Specialty, ...] = (
    # APA-PTSD, VA/DoD-PTSD, TF-CBT.
    Specialty(
        "trauma",
        weight=20,
        issues=(
            ("trauma-ptsd", 10),
            ("complex-trauma", 4),
            ("sexual-trauma", 2),
            ("childhood-abuse-neglect", 2),
            ("domestic-violence", 1.5),
            ("first-responder-trauma", 1),
        ),
        approaches=(
            ("eye-movement-desensitization-and-reprocessing", 6),
            ("cognitive-processing-therapy", 3),
            ("prolonged-exposure-therapy", 2),
            ("trauma-focused-cognitive-behavioral-therapy", 2),
            ("written-exposure-therapy", 1),
            ("somatic-experiencing", 1.5),
        ),
    ),
    # Couples therapy is the MFT licence's core (domain.md §2.1).
    Specialty(
        "couples",
        weight=14,
        formats=("couples",),
        licences={"mft": 3, "psychiatrist": 0, "pmhnp": 0},
        issues=(
            ("relationship-issues", 8),
            ("couples-marital", 8),
            ("infidelity", 3),
            ("premarital", 2),
            ("divorce-separation", 2),
        ),
        approaches=(
            ("emotionally-focused-couples-therapy", 6),
            ("gottman-method", 6),
            ("imago-relationship-therapy", 1.5),
            ("discernment-counseling", 1),
            ("pact", 1),
            ("ibct", 1),
        ),
    ),
    # Child specialists: play, PCIT, TF-CBT (CEBC, TF-CBT).
    Specialty(
        "children",
        weight=14,
        ages={"children": 1.0},
        licences={"psychiatrist": 0, "pmhnp": 0},
        issues=(
            ("child-behavioral-issues", 4),
            ("adhd", 4),
            ("anxiety", 3),
            ("autism", 2),
            ("parenting", 2),
            ("school-refusal", 1.5),
            ("selective-mutism", 0.6),
        ),
        approaches=(
            ("play-therapy", 5),
            ("cognitive-behavioral-therapy", 3),
            ("parent-child-interaction-therapy", 2),
            ("sandtray-therapy", 2),
            ("trauma-focused-cognitive-behavioral-therapy", 1.5),
            ("parent-management-training", 1.5),
        ),
    ),
    # APA-ED: FBT for teens, CBT for bulimia and binge eating; DBT adaptations for bingeing.
    Specialty(
        "eating-disorders",
        weight=16,
        ages={"teens": 0.6},
        licences={"psychiatrist": 0, "pmhnp": 0},
        issues=(
            ("eating-disorders", 10),
            ("binge-eating", 4),
            ("body-image", 5),
            ("arfid", 1),
        ),
        approaches=(
            ("cognitive-behavioral-therapy", 5),
            ("family-based-treatment", 3),
            ("dialectical-behavior-therapy", 3),
            ("acceptance-and-commitment-therapy", 2),
        ),
    ),
    # APA-OCD.
    Specialty(
        "ocd",
        weight=12,
        licences={"psychologist": 2, "psychiatrist": 0, "pmhnp": 0},
        issues=(
            ("obsessive-compulsive-disorder", 10),
            ("health-anxiety", 1.5),
            ("body-focused-repetitive-behaviors", 1.5),
            ("hoarding", 0.7),
        ),
        approaches=(
            ("exposure-and-response-prevention", 10),
            ("cognitive-behavioral-therapy", 3),
            ("acceptance-and-commitment-therapy", 2),
        ),
    ),
    # SAMHSA-TIP35; Najavits (2002).
    Specialty(
        "substance-use",
        weight=9,
        licences={"social": 1.5},
        issues=(
            ("substance-use", 8),
            ("alcohol-use", 5),
            ("opioid-use", 2),
            ("dual-diagnosis", 2),
            ("gambling", 1),
        ),
        approaches=(
            ("motivational-interviewing", 8),
            ("cognitive-behavioral-therapy", 3),
            ("contingency-management", 2),
            ("seeking-safety", 1.5),
        ),
    ),
    # APA-BPD; DBT programmes run skills groups.
    Specialty(
        "dbt",
        weight=8,
        formats=("group",),
        licences={"psychiatrist": 0, "pmhnp": 0},
        issues=(
            ("emotional-regulation", 6),
            ("borderline-personality-disorder", 6),
            ("self-harm", 5),
            ("suicidal-thoughts", 4),
        ),
        approaches=(
            ("dialectical-behavior-therapy", 10),
            ("collaborative-assessment-and-management-of-suicidality", 1),
        ),
    ),
    # APA-DEP (IPT for perinatal depression).
    Specialty(
        "perinatal",
        weight=5,
        licences={"psychiatrist": 0.5},
        issues=(
            ("perinatal-postpartum-mood", 8),
            ("infertility-family-building", 3),
            ("pregnancy-loss", 3),
            ("pmdd", 1),
        ),
        approaches=(
            ("interpersonal-psychotherapy", 3),
            ("cognitive-behavioral-therapy", 3),
            ("acceptance-and-commitment-therapy", 1),
        ),
    ),
    Specialty(
        "grief",
        weight=5,
        licences={"psychiatrist": 0, "pmhnp": 0},
        issues=(
            ("grief-bereavement", 8),
            ("suicide-loss", 2),
            ("terminal-illness", 1.5),
            ("pregnancy-loss", 1),
        ),
        approaches=(
            ("interpersonal-psychotherapy", 1),
            ("acceptance-and-commitment-therapy", 1),
            ("narrative-therapy", 1),
            ("person-centered-therapy", 1),
        ),
    ),
    # ACP-INS.
    Specialty(
        "insomnia",
        weight=3,
        licences={"psychologist": 3},
        issues=(("sleep-insomnia", 10),),
        approaches=(("cognitive-behavioral-therapy-for-insomnia", 10),),
    ),
)
