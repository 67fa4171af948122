"""Reading the need: free text -> suggested issues (understanding.py), and its evaluation.

The unit tests pin the behaviors the issue names (everyday words, negation, everyday ways
of describing drinking, religious guilt, partner violence, binge-purge, Spanish). The
figure tests on the counsel-chat file are a regression guard only: the model was trained
on that file, so they cannot show how the reading does on questions it has not seen (the
cross-validated figures in docs/matching.md estimate that).
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from rapport.directory import index as ix
from rapport.matching import understanding as u
from rapport.matching.evaluation import counselchat as cc
from rapport.matching.evaluation.train_text import fit
from rapport.matching.phrases import issues_in_text
from rapport.taxonomy.models import Kind, Term
from rapport.testing import make_term

SAMPLE = Path(__file__).with_name("data") / "counselchat_sample.csv"
ANSWERS_SAMPLE = Path(__file__).with_name("data") / "counselchat_answers_sample.csv"
# The whole question set is not in the repository (docs/matching.md, "Reading the need"); the
# tests that need it run where RAPPORT_COUNSELCHAT_CSV names it (CI on the project's machine).
needs_questions = pytest.mark.skipif(
    not os.environ.get(cc.QUESTIONS_ENV),
    reason=f"needs the counsel-chat questions: set {cc.QUESTIONS_ENV} to the file",
)


def read(text: str) -> list[str]:
    return u.suggest_issues(text)


# --- Everyday words never suffice -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "did",
        "odd",
        "add",
        "I did my best but nothing works",
        "That is odd",
        "Can you add me to the list",
        "I'm dying to find out",
        "I am dying to find a therapist who gets me",
        "Don't panic",
        "loss",
        "moving",
    ],
)
def test_an_everyday_word_alone_suggests_nothing(text):
    assert read(text) == []


def test_everyday_words_do_not_become_topics_next_to_a_real_concern():
    suggested = read("I did everything I could, and it's odd, but I'm dying to feel less depressed")
    assert suggested[0] == "depression"
    assert not {"dissociation-did", "oppositional-defiance", "terminal-illness"} & set(suggested)


def test_the_taxonomy_words_still_count_when_they_are_said_in_context():
    assert "adhd" in read("My son was diagnosed with ADD last year")
    assert "oppositional-defiance" in read("My daughter has ODD and fights every rule")
    assert "dissociation-did" in read("I was diagnosed with DID")
    assert "terminal-illness" in read("My mother is in hospice and I don't know how to cope")


# --- Negation -------------------------------------------------------------------------------------


def test_a_denied_concern_is_not_suggested():
    assert "depression" not in read("I'm not depressed, just stressed at work")
    assert "stress" in read("I'm not depressed, just stressed at work")
    assert read("No history of drinking or drug use") == []
    assert "suicidal-thoughts" not in read("I've never had suicidal thoughts, I just feel stuck")
    assert "depression" not in read("No estoy deprimida, solo cansada")


def test_doubt_or_wanting_is_not_a_denial():
    assert read("Not sure if I'm depressed") == ["depression"]
    assert "suicidal-thoughts" in read("I don't want to live anymore")
    assert "alcohol-use" in read("I don't know why I drink so much every night")


# --- The phrasings the issue names ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I have a few beers every night and cannot stop",
        "My husband gets drunk every weekend",
        "I drink way too much on weekends",
        "I black out when I go out drinking",
        "Bebo demasiado los fines de semana",
    ],
)
def test_everyday_ways_of_describing_drinking(text):
    assert read(text)[0] == "alcohol-use"


def test_guilt_from_a_religious_upbringing():
    suggested = read("I was raised in a very strict religious family and I feel guilty about sex")
    assert suggested[0] == "religious-trauma"


@pytest.mark.parametrize(
    "text",
    [
        "My boyfriend pushed me against the wall last night",
        "My husband hits me when he gets angry",
        "I'm afraid of my husband. He put his hands on me again.",
        "Mi esposo me pega cuando toma",
    ],
)
def test_violence_from_a_partner(text):
    assert read(text)[0] == "domestic-violence"


@pytest.mark.parametrize(
    "text",
    [
        "I binge and then make myself throw up",
        "After I eat too much I force myself to throw up",
        "I've been purging after meals",
    ],
)
def test_purging_after_a_binge(text):
    assert read(text)[0] in {"eating-disorders", "binge-eating"}
    assert "eating-disorders" in read(text)


# --- Spanish --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No puedo dormir y me siento muy triste", {"sleep-insomnia", "depression"}),
        ("Tengo mucha ansiedad y ataques de pánico", {"anxiety", "panic-attacks"}),
        ("Tengo mucha ansiedad y ataques de panico", {"anxiety", "panic-attacks"}),
        ("Mi hijo adolescente no me hace caso", {"child-behavioral-issues", "parenting"}),
        ("Me siento sola y sin ganas de nada", {"loneliness", "depression"}),
        (
            "Mi pareja me engañó y estamos pensando en el divorcio",
            {"infidelity", "divorce-separation"},
        ),
        ("Sufrí abuso sexual cuando era niña", {"sexual-trauma"}),
    ],
)
def test_spanish_free_text(text, expected):
    assert expected <= set(read(text))


# --- Order and the model --------------------------------------------------------------------------


def test_the_main_concern_comes_first():
    assert read("My husband hits me. I am scared all the time.")[0] == "domestic-violence"
    # A concern named first outweighs people only mentioned, however often.
    text = "I'm so depressed. My mom, my dad and my sister don't notice, my mom least of all."
    assert read(text)[0] == "depression"
    assert set(read("I can't sleep and I fight with my partner")) == {
        "relationship-issues",
        "sleep-insomnia",
    }


def test_a_concern_named_first_outranks_one_retold_later():
    # Each later sentence counts less (Settings.later): the breakup, told three times after
    # the depression, does not outrank it in the phrases' own order.
    text = (
        "I have been feeling depressed. Last year my boyfriend and I broke up. We got back "
        "together, then broke up again in May. Now he wants to get back together."
    )
    assert u.suggest_issues(text, text_model=None)[:2] == ["depression", "relationship-issues"]


def test_without_words_every_topic_is_as_likely_to_the_model():
    # Settings.label_prior = 0: counsel-chat's big topics do not win a close call for being
    # common there; with the prior (1) they would.
    current = u.model()
    assert current is not None
    flat, _known = current.posterior([], label_prior=0.0)
    assert max(flat.values()) == pytest.approx(min(flat.values()))
    skewed, _known = current.posterior([], label_prior=1.0)
    assert max(skewed.values()) > 2 * min(skewed.values())


# No phrase of the lexicon in it: only the model can read it.
NO_PHRASE = (
    "She says she needs space and I do not understand why, we were talking about moving in "
    "together and now she barely answers my texts"
)


def test_the_model_reads_a_long_text_no_phrase_matches_and_never_a_short_one():
    assert u.suggest_issues(NO_PHRASE, text_model=None) == []
    assert read(NO_PHRASE) == ["relationship-issues"]
    # Short: fewer known words than the model needs, whatever they are.
    assert read("she needs space") == []


def test_at_most_a_handful_of_suggestions():
    text = (
        "I'm depressed and anxious, I drink too much, I can't sleep, my husband cheated, "
        "my son is failing school and my boss yells at me"
    )
    assert len(read(text)) == u.MAX_SUGGESTIONS


@needs_questions
def test_the_shipped_model_is_what_train_text_writes():
    labels = cc.load_label_map()
    trained = fit(cc.scored(cc.load_questions(), labels), labels)
    shipped = json.loads(u.MODEL.read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(trained))


def test_every_phrase_names_a_known_issue_and_parses():
    lexicon = u.lexicon()
    patterns = [p for group in lexicon.exact.values() for p in group]
    patterns += [p for group in lexicon.prefixed.values() for p in group]
    known = u.issue_slugs()
    assert patterns and all(set(p.slugs) <= known for p in patterns)
    assert all(p.parts and p.parts[0] != ("..",) for p in patterns)


def test_a_phrase_cannot_start_with_a_gap():
    with pytest.raises(ValueError, match="gap"):
        u.Lexicon().add(u.Pattern.parse(".. drinking", ("alcohol-use",)))


# --- The evaluation on counsel-chat ---------------------------------------------------------------


@needs_questions
def test_every_counselchat_label_is_mapped_or_excluded():
    labels = cc.load_label_map()
    seen = {lab for q in cc.load_questions() for lab in q.labels}
    assert seen <= set(labels.issues) | labels.excluded
    assert not set(labels.issues) & labels.excluded


def test_a_question_is_right_when_any_suggestion_answers_any_of_its_labels():
    labels = cc.LabelMap({"depression": ("depression",), "stress": ("stress",)}, frozenset())
    question = cc.Question(1, "t", "x", ("depression", "stress", "diagnosis"))
    figures = cc.Figures("f")
    figures.add(question, labels.accepted(question), ["anxiety", "stress"])
    figures.add(question, labels.accepted(question), [])
    assert (figures.questions, figures.right, figures.first_right, figures.none) == (2, 1, 0, 1)


@needs_questions
def test_figures_on_the_dev_file_regression_guard():
    """Regression guard only: the shipped model has seen these questions (see module doc)."""
    report = cc.evaluate_text()
    assert report.total == 695 and report.scored == 656
    seen = report.get("phrases + shipped model, whole file (seen)")
    assert seen.share(seen.right) >= 0.85
    assert seen.share(seen.none) <= 0.05
    assert seen.share(seen.first_right) >= 0.70
    held = report.figures[0]  # cross-validated: the model never saw the fold it is measured on
    assert held.share(held.right) >= 0.85 and held.share(held.none) <= 0.05
    assert held.share(held.first_right) >= 0.70
    assert re.search(r"5-fold cross-validation\s+\d+\.\d%", report.as_text())


def test_both_layouts_of_the_questions_are_read():
    questions = cc.load_questions(SAMPLE)
    assert len(questions) == 8 and questions[0].qid == 0
    assert questions[0].labels == ("depression",)
    grouped = cc.load_questions(ANSWERS_SAMPLE)
    # Two answers to question 0 under two topics: one question with both labels.
    assert [(q.qid, q.labels) for q in grouped] == [
        (0, ("depression", "self-esteem")),
        (142, ("anxiety",)),
    ]
    assert grouped[0].text == questions[0].text


def test_the_figures_on_a_sample_count_what_the_reader_said():
    labels = cc.load_label_map()
    items = cc.scored(cc.load_questions(SAMPLE), labels)
    assert len(items) == 8
    everything = cc.measure("all", lambda _t: sorted(labels.accepted(items[0])), items, labels)
    nothing = cc.measure("none", lambda _t: [], items, labels)
    assert (nothing.right, nothing.none) == (0, 8)
    # Answering every question with question 0's issues is right exactly where they overlap.
    overlap = sum(1 for q in items if labels.accepted(q) & labels.accepted(items[0]))
    assert everything.right == overlap and everything.none == 0


def test_without_the_questions_the_evaluation_says_so(monkeypatch):
    monkeypatch.delenv(cc.QUESTIONS_ENV, raising=False)
    with pytest.raises(cc.MissingQuestions, match=cc.QUESTIONS_ENV):
        cc.load_questions()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not measured"):
        call_command("evaluate_matching", "--text", stdout=io.StringIO())


def test_evaluate_matching_reads_the_file_it_is_given():
    out = io.StringIO()
    call_command("evaluate_matching", "--text", "--counselchat", str(SAMPLE), stdout=out)
    assert "8 scored" in out.getvalue()


# --- Through the questionnaire's wrapper ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_issues_in_text_keeps_only_active_issues():
    for slug in ("sleep-insomnia", "relationship-issues", "depression"):
        make_term(Kind.ISSUE, slug)
    Term.objects.filter(kind=Kind.ISSUE, slug="depression").update(is_active=False)
    ix.index_touch(None)
    ix.reset_for_tests()
    text = "No puedo dormir, me siento deprimida y peleo con mi pareja"
    assert "depression" in read(text)
    assert issues_in_text(text) == ["sleep-insomnia", "relationship-issues"]
    assert issues_in_text("did") == []


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_spanish_words_become_chips_on_the_questionnaire(client):
    for slug in ("sleep-insomnia", "depression", "alcohol-use", "anxiety"):
        make_term(Kind.ISSUE, slug)
    ix.index_touch(None)
    ix.reset_for_tests()
    response = client.post("/match/", {"action": "start"})
    assert response["Location"] == "/match/step/1/"
    text = "No puedo dormir, me siento muy triste y bebo demasiado"
    response = client.post(
        "/match/step/2/", {"issues": ["anxiety"], "text": text, "action": "next"}
    )
    assert response["Location"] == "/match/step/2/words/"
    page = client.get("/match/step/2/words/").content.decode()
    chips = re.findall(r'name="keep" value="([\w-]+)"', page)
    assert chips == ["sleep-insomnia", "depression", "alcohol-use"]


def test_evaluate_matching_text_prints_the_reading_report(monkeypatch):
    figures = cc.Figures("phrases + model, 5-fold cross-validation", 10, 9, 0, 7, 25)
    monkeypatch.setattr(cc, "evaluate_text", lambda **_kw: cc.TextReport(12, 10, [figures]))
    out = io.StringIO()
    call_command("evaluate_matching", "--text", stdout=out)
    assert "10 scored" in out.getvalue()
    assert re.search(r"5-fold cross-validation\s+90\.0%\s+0\.0%\s+70\.0%\s+2\.50", out.getvalue())


# --- Written in Spanish: a Spanish-speaking therapist is offered, never assumed -----------------


@pytest.mark.parametrize(
    ("text", "spanish"),
    [
        ("No puedo dormir, me siento muy triste y bebo demasiado", True),
        ("Tengo ansiedad", True),
        ("Mi esposo me pega", True),
        ("I feel sad and can't sleep, my mother says I drink too much", False),
        ("I went to la fiesta with my esposa and we fought", False),
        ("help me", False),
        ("", False),
    ],
)
def test_looks_spanish(text, spanish):
    assert u.looks_spanish(text) is spanish


def _to_words_screen(client, text):
    make_term(Kind.ISSUE, "sleep-insomnia")
    ix.index_touch(None)
    ix.reset_for_tests()
    client.post("/match/", {"action": "start"})
    response = client.post("/match/step/2/", {"text": text, "action": "next"})
    assert response["Location"] == "/match/step/2/words/"
    return client.get("/match/step/2/words/").content.decode()


def _preferences(client):
    return client.session["match"]["answers"].get("preferences", [])


SPANISH_BOX = re.compile(r'<input type="checkbox" name="prefer_language" value="es"[^>]*>')


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_spanish_text_offers_a_spanish_speaker_unticked_and_the_person_chooses(client):
    page = _to_words_screen(client, "No puedo dormir y me siento muy sola")
    box = SPANISH_BOX.search(page)
    assert box and "checked" not in box.group(0)
    assert "Prefer a therapist who speaks Spanish?" in page
    # Left unticked: no language preference.
    client.post("/match/step/2/words/", {"keep": ["sleep-insomnia"], "action": "next"})
    assert _preferences(client) == []
    # Ticked: a nice-to-have, shown ticked on a return visit, and step 5 shows it.
    client.post(
        "/match/step/2/words/",
        {"keep": ["sleep-insomnia"], "prefer_language": "es", "action": "next"},
    )
    assert _preferences(client) == [{"kind": "language", "value": "es", "must": False}]
    box = SPANISH_BOX.search(client.get("/match/step/2/words/").content.decode())
    assert box and "checked" in box.group(0)
    step5 = client.get("/match/step/5/").content.decode()
    assert re.search(r'<option value="es" selected>', step5)
    # Unticked again: removed.
    client.post("/match/step/2/words/", {"keep": ["sleep-insomnia"], "action": "next"})
    assert _preferences(client) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_english_text_gets_no_spanish_offer_and_a_forged_tick_adds_nothing(client):
    page = _to_words_screen(client, "I can't sleep and I feel very alone")
    assert not SPANISH_BOX.search(page)
    client.post(
        "/match/step/2/words/",
        {"keep": ["sleep-insomnia"], "prefer_language": "es", "action": "next"},
    )
    assert _preferences(client) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_no_spanish_offer_over_another_language_already_chosen(client):
    _to_words_screen(client, "No puedo dormir y me siento muy sola")
    session = client.session
    session["match"]["answers"]["preferences"] = [{"kind": "language", "value": "pt", "must": True}]
    session.save()
    assert not SPANISH_BOX.search(client.get("/match/step/2/words/").content.decode())
    client.post("/match/step/2/words/", {"prefer_language": "es", "action": "next"})
    assert _preferences(client) == [{"kind": "language", "value": "pt", "must": True}]


def test_the_shipped_settings_are_among_those_tune_text_tries():
    # docs/matching.md reports the nested cross-validation of this grid for the shipped settings.
    from rapport.matching.evaluation.tune_text import settings_grid

    assert u.SETTINGS in settings_grid()


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_a_spanish_must_chosen_on_step_5_stays_a_must_and_shows_ticked(client):
    _to_words_screen(client, "No puedo dormir y me siento muy sola")
    session = client.session
    session["match"]["answers"]["preferences"] = [{"kind": "language", "value": "es", "must": True}]
    session.save()
    box = SPANISH_BOX.search(client.get("/match/step/2/words/").content.decode())
    assert box and "checked" in box.group(0)
    client.post("/match/step/2/words/", {"prefer_language": "es", "action": "next"})
    assert _preferences(client) == [{"kind": "language", "value": "es", "must": True}]
