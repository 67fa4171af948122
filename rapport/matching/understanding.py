"""Reading the need: free text -> issue slugs, most salient first, measured on real questions.

Two parts, both offline and deterministic (docs/matching.md, "Reading the need"):

1. A hand-written bilingual phrase lexicon (`data/need_phrases.toml`, English and Spanish)
   plus the taxonomy's names and aliases, minus the ones that are everyday words ("did",
   "odd", "add", "dying", "loss", ...). A phrase preceded by a negation in the same clause
   ("I'm not depressed", "no history of drinking", "no tengo ansiedad") does not count. A
   concern ("he hits me") counts more than a mention of a setting ("my mom", "at work").
2. A small naive Bayes model over word unigrams, bigrams and the lexicon's concern hits
   (`data/need_model.json`, counts per counsel-chat topic, written by
   `evaluation/train_text.py`). It ranks what the
   phrases found (the topic it reads most likely moves its issues up), and when no phrase
   fires on a text long enough to judge, it suggests the main issue of its best topic if it
   is confident enough. It never fires on a short text, so one word alone suggests nothing.

`suggest_issues()` is pure (no database); `phrases.issues_in_text()` wraps it and keeps
only issues active in the taxonomy. `looks_spanish()` tells the words screen to offer a
Spanish-speaking therapist.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from rapport.core.text import fold

DATA = Path(__file__).with_name("data")
PHRASES = DATA / "need_phrases.toml"
MODEL = DATA / "need_model.json"
ISSUES = Path(__file__).parents[1] / "taxonomy" / "data" / "issues.toml"

# Suggestions shown at most: chips the person removes are a cost, so a handful.
MAX_SUGGESTIONS = 4
# Words of a pattern gap ("..") may stand for: "drinking .. too much" = "drinking way too much".
GAP = 3
# Negation looks this many words back, within the clause.
NEGATION_WINDOW = 5

_TOKEN = re.compile(r"[a-z0-9]+|[.!?;,]")
_SENTENCE_END = frozenset({".", "!", "?"})
_BREAK = frozenset(
    {".", "!", "?", ";", ",", "but", "pero", "although", "though", "aunque", "however"}
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATORS = _words(
    # English; "cant"/"couldnt" are left out: "can't stop drinking" is not a denial.
    "no not never nor without dont doesnt didnt isnt arent wasnt werent havent hasnt hadnt "
    "wont wouldnt neither none nothing nobody denies deny denied "
    # Spanish
    "nunca jamas sin tampoco ni ningun ninguna nada"
)
# A negator followed by one of these is not a denial of what comes after:
# "not sure if I'm depressed", "don't know why I drink", "I don't want to live".
_PSEUDO_NEGATION = _words(
    "sure know understand want only just matter idea able think seem seems wanna get stop "
    "puedo se quiero entiendo solo dejo"
)

# Taxonomy names and aliases that are everyday words or too vague alone: they never
# suggest an issue (the lexicon has the real phrasings instead: "diagnosed with ADD").
AMBIGUOUS_ALIASES = frozenset(
    _words(
        """did add odd dying loss moving purpose identity career sleep pressure confidence
        recovery engaged engagement separation race friends attachment coping temper neglect
        aces grades military drinking drugs betting transitions aging resilience dating
        relationships marriage couples insecurity rage anger worry worrying nerves stress
        trauma mania panic borderline cutting clutter alcohol caregiver firefighter paramedic
        separating marital performance psychology assessment gay queer lesbian"""
    )
) | {"who am i", "first responder", "coming out"}


def tokens(text: str) -> list[str]:
    """Folded words and sentence stops: "I can't sleep." -> ["i", "cant", "sleep", "."]."""
    # A line break ends a sentence (a title on its own line, a list).
    folded = fold(re.sub(r"['’‘`´]", "", text or "").replace("\n", " . "))
    return _TOKEN.findall(folded)


# --- Patterns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """A phrase: words, `word*` prefixes, `a|b` alternatives and `..` gaps of up to GAP words."""

    source: str
    slugs: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...]  # each part: alternatives; "x*" is a prefix, ".." a gap
    mention: bool = False  # names a setting ("my mom", "at work"), not a concern

    @classmethod
    def parse(cls, source: str, slugs: Sequence[str], *, mention: bool = False) -> Pattern:
        parts: list[tuple[str, ...]] = []
        for raw in source.split():
            if raw == "..":
                parts.append(("..",))
                continue
            alternatives = []
            for alt in raw.split("|"):
                star = alt.endswith("*")
                folded = "".join(tokens(alt.rstrip("*")))
                if folded:
                    alternatives.append(folded + ("*" if star else ""))
            if alternatives:
                parts.append(tuple(alternatives))
        return cls(source, tuple(slugs), tuple(parts), mention)

    def first(self) -> tuple[str, ...]:
        return self.parts[0]


def _word_fits(alternatives: tuple[str, ...], word: str) -> bool:
    for alt in alternatives:
        if alt.endswith("*"):
            if word.startswith(alt[:-1]):
                return True
        elif word == alt:
            return True
    return False


def _match_at(parts: tuple[tuple[str, ...], ...], words: Sequence[str], i: int) -> int:
    """The end index of a match of `parts` starting at words[i], or -1."""
    if not parts:
        return i
    head, rest = parts[0], parts[1:]
    if head == ("..",):
        for skip in range(GAP + 1):
            j = i + skip
            if j > len(words) or any(w in _BREAK for w in words[i:j]):
                break
            end = _match_at(rest, words, j)
            if end >= 0:
                return end
        return -1
    if i < len(words) and words[i] not in _BREAK and _word_fits(head, words[i]):
        return _match_at(rest, words, i + 1)
    return -1


@dataclass
class Lexicon:
    exact: dict[str, list[Pattern]] = field(default_factory=dict)
    prefixed: dict[str, list[Pattern]] = field(default_factory=dict)

    def add(self, pattern: Pattern) -> None:
        if not pattern.parts or pattern.parts[0] == ("..",):
            raise ValueError(f"a phrase cannot start with a gap: {pattern.source!r}")
        for alt in pattern.first():
            if alt.endswith("*"):
                self.prefixed.setdefault(alt[:-1], []).append(pattern)
            else:
                self.exact.setdefault(alt, []).append(pattern)

    def candidates(self, word: str) -> Iterable[Pattern]:
        yield from self.exact.get(word, ())
        for size in range(1, len(word) + 1):
            yield from self.prefixed.get(word[:size], ())


def _negated(words: Sequence[str], start: int) -> bool:
    """Whether a negator in the same clause, at most NEGATION_WINDOW words back, denies it."""
    for back in range(1, NEGATION_WINDOW + 1):
        k = start - back
        if k < 0 or words[k] in _BREAK:
            return False
        if words[k] in _NEGATORS:
            nxt = words[k + 1] if k + 1 < len(words) else ""
            return nxt not in _PSEUDO_NEGATION
    return False


@dataclass(frozen=True)
class Hit:
    slug: str
    start: int
    phrase: str
    mention: bool
    sentence: int  # 0 for the first sentence


def find_phrases(words: Sequence[str], lexicon: Lexicon) -> list[Hit]:
    """Every non-negated phrase hit, in text order (longest phrase wins at one position)."""
    hits: list[Hit] = []
    covered_until = 0
    sentence = 0
    for i, word in enumerate(words):
        if word in _SENTENCE_END:
            # "?!" or ".\n" ends one sentence, not two.
            if i == 0 or words[i - 1] not in _SENTENCE_END:
                sentence += 1
            continue
        if word in _BREAK:
            continue
        best: tuple[int, Pattern] | None = None
        for pattern in lexicon.candidates(word):
            end = _match_at(pattern.parts, words, i)
            if end > i and (best is None or end > best[0]):
                best = (end, pattern)
        if best is None or (best[0] <= covered_until):
            continue
        # A phrase inside a longer one already found ("panic" in "panic attacks") is not new.
        covered_until = best[0]
        if _negated(words, i):
            continue
        pattern = best[1]
        hits.extend(Hit(s, i, pattern.source, pattern.mention, sentence) for s in pattern.slugs)
    return hits


def _taxonomy_phrases(path: Path = ISSUES) -> list[tuple[str, str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for term in data.get("terms", []):
        name = term["name"]
        slug = term.get("slug") or _slugify(name)
        for phrase in [name, term.get("short_name", ""), *term.get("aliases", [])]:
            words = tokens(phrase.replace("&", " and ").replace("/", " ").replace("-", " "))
            joined = " ".join(words)
            if not words or joined in AMBIGUOUS_ALIASES or (len(words) == 1 and len(words[0]) < 4):
                continue
            found.append((joined, slug))
    return found


def _slugify(name: str) -> str:
    return "-".join(tokens(name.replace("&", " ").replace("'", "")))


@cache
def issue_slugs() -> frozenset[str]:
    data = tomllib.loads(ISSUES.read_text(encoding="utf-8"))
    return frozenset(t.get("slug") or _slugify(t["name"]) for t in data.get("terms", []))


@cache
def lexicon() -> Lexicon:
    """The phrase table: need_phrases.toml, then the taxonomy's own unambiguous words."""
    lex = Lexicon()
    known = issue_slugs()
    data = tomllib.loads(PHRASES.read_text(encoding="utf-8"))
    for slug_key, langs in data.items():
        slugs = tuple(slug_key.split("+"))
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise ValueError(f"need_phrases.toml: unknown issue slug(s) {unknown}")
        for key in ("en", "es", "mentions"):
            for phrase in langs.get(key, []):
                lex.add(Pattern.parse(phrase, slugs, mention=key == "mentions"))
    for phrase, slug in _taxonomy_phrases():
        lex.add(Pattern.parse(phrase, (slug,)))
    return lex


# --- The text model ---------------------------------------------------------------------------


# A concern phrase of the lexicon counts as this many words for the model.
HIT_WEIGHT = 3


def features(words: Sequence[str], hits: Sequence[Hit] | None = None) -> list[str]:
    """Unigrams (not stop words) and bigrams of the words, within sentences, and "@slug"
    for each concern phrase the lexicon finds: its synonyms, which 695 questions cannot
    teach, become evidence the model weighs (+1.8 points first-right, cross-validated)."""
    out: list[str] = []
    prev = ""
    for w in words:
        if w in _BREAK and w not in {"but", "pero"}:
            prev = ""
            continue
        if w not in STOP and len(w) > 1:
            out.append(w)
        if prev:
            out.append(f"{prev} {w}")
        prev = w
    for hit in find_phrases(words, lexicon()) if hits is None else hits:
        if not hit.mention:
            out.extend([f"@{hit.slug}"] * HIT_WEIGHT)
    return out


@dataclass(frozen=True, eq=False)
class Model:
    """Multinomial naive Bayes: log P(label) + sum log P(feature | label) over known features."""

    labels: tuple[str, ...]
    main_issue: dict[str, str]
    label_issues: dict[str, tuple[str, ...]]
    prior: np.ndarray  # log P(label)
    rows: dict[str, int]  # feature -> row of log_prob
    log_prob: np.ndarray  # features x labels: log P(feature | label)

    @classmethod
    def from_counts(cls, data: dict[str, Any]) -> Model:
        labels = tuple(data["labels"])
        alpha = float(data["alpha"])
        vocab: list[str] = data["vocabulary"]
        counts: dict[str, dict[str, int]] = data["counts"]  # label -> feature -> count
        docs = np.array([data["documents"][lab] for lab in labels], dtype=float)
        rows = {feat: n for n, feat in enumerate(vocab)}
        table = np.zeros((len(vocab), len(labels)))
        for k, lab in enumerate(labels):
            for feat, count in counts[lab].items():
                table[rows[feat], k] = count
        table += alpha
        log_prob = np.log(table / table.sum(axis=0, keepdims=True))
        return cls(
            labels,
            dict(data["main_issue"]),
            {k: tuple(v) for k, v in data["label_issues"].items()},
            np.log(docs / docs.sum()),
            rows,
            log_prob,
        )

    def posterior(
        self, feats: Sequence[str], *, temperature: float = 1.0, label_prior: float = 1.0
    ) -> tuple[dict[str, float], int]:
        """P(label | features) and how many known words (not pairs, not phrases) they had.

        The word evidence is divided by `temperature`: naive Bayes counts every word as
        independent evidence and is far too sure of itself on long texts otherwise. The
        labels' prior is raised to `label_prior`: 0 treats every topic as equally likely
        before the words are read.
        """
        found = [(self.rows[f], " " not in f and f[0] != "@") for f in feats if f in self.rows]
        known = sum(single for _row, single in found)
        evidence = self.log_prob[[row for row, _single in found]].sum(axis=0)
        scores = label_prior * self.prior + evidence / temperature
        exp = np.exp(scores - scores.max())
        exp /= exp.sum()
        return {lab: float(p) for lab, p in zip(self.labels, exp, strict=True)}, known


@cache
def model() -> Model | None:
    if not MODEL.exists():
        return None
    return Model.from_counts(json.loads(MODEL.read_text(encoding="utf-8")))


# --- Putting it together ----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The few numbers of the combination, chosen by cross-validation (docs/decisions.md)."""

    mention: float = 0.5  # a setting named ("my mom") counts this much, a concern 1
    mention_cap: float = 1.0  # settings named many times still count at most this much
    first_sentence: float = 0.5  # people name the main thing first (sentence or line) ...
    later: float = 0.5  # ... and a hit in sentence n counts 1 / (1 + later * n)
    model_weight: float = 2.0  # how much the model's reading adds to a phrase issue's score
    temperature: float = 4.0  # softens naive Bayes' overconfident probabilities
    # The weight of counsel-chat's topic frequencies in the model's reading. 0: every topic is
    # as likely before the words are read, so the site's big topics (relationships,
    # depression) do not win a close call by being common there (+2 points first right).
    label_prior: float = 0.0
    min_known_words: int = 8  # known content words below which the model does not judge
    backoff_confidence: float = 0.3  # the best topic's probability needed to suggest alone
    add_confidence: float = 0.6  # ... to add its main issue next to phrase suggestions
    max_suggestions: int = MAX_SUGGESTIONS


SETTINGS = Settings()


def suggest_issues(
    text: str,
    *,
    text_model: Model | None | Callable[[], Model | None] = model,
    settings: Settings = SETTINGS,
) -> list[str]:
    """Issue slugs the text suggests, most salient first (the first is the main concern)."""
    return order(Reading.of(text), text_model=text_model, settings=settings)


@dataclass
class Reading:
    """What the settings do not change: the words, the phrase hits, the model's features
    (kept apart so the evaluation can try settings without reading each text again)."""

    words: list[str]
    hits: list[Hit]

    @classmethod
    def of(cls, text: str) -> Reading:
        words = tokens(text)
        return cls(words, find_phrases(words, lexicon()) if words else [])

    @cached_property
    def features(self) -> list[str]:
        return features(self.words, self.hits)


def order(
    reading: Reading,
    *,
    text_model: Model | None | Callable[[], Model | None] = model,
    settings: Settings = SETTINGS,
) -> list[str]:
    """suggest_issues() on a text already read."""
    if not reading.words:
        return []
    concern: dict[str, float] = {}
    mentioned: dict[str, float] = {}
    first: dict[str, int] = {}
    early: set[str] = set()
    for hit in reading.hits:
        weight = 1.0 / (1.0 + settings.later * hit.sentence)
        if hit.mention:
            mentioned[hit.slug] = mentioned.get(hit.slug, 0.0) + settings.mention * weight
        else:
            concern[hit.slug] = concern.get(hit.slug, 0.0) + weight
        first.setdefault(hit.slug, hit.start)
        if hit.sentence == 0:
            early.add(hit.slug)
    score = {
        slug: concern.get(slug, 0.0)
        + min(mentioned.get(slug, 0.0), settings.mention_cap)
        + (settings.first_sentence if slug in early else 0.0)
        for slug in first
    }
    current = text_model() if callable(text_model) else text_model
    if current is not None:
        posterior, known = current.posterior(
            reading.features, temperature=settings.temperature, label_prior=settings.label_prior
        )
        if known >= settings.min_known_words:
            _apply_model(current, posterior, score, first, len(reading.words), settings)
    ordered = sorted(score, key=lambda s: (-score[s], first[s]))
    return ordered[: settings.max_suggestions]


def _apply_model(
    current: Model,
    posterior: dict[str, float],
    score: dict[str, float],
    first: dict[str, int],
    end: int,
    settings: Settings,
) -> None:
    # An issue is as likely as the likeliest topic it answers (a sum would favour the
    # issues listed under many topics, such as relationship issues).
    support: dict[str, float] = {}
    for label, p in posterior.items():
        for slug in current.label_issues.get(label, ()):
            support[slug] = max(support.get(slug, 0.0), p)
    for slug in score:
        score[slug] += settings.model_weight * support.get(slug, 0.0)
    best = max(posterior, key=lambda lab: posterior[lab])
    main = current.main_issue.get(best, "")
    if main and main not in score:
        needed = settings.add_confidence if score else settings.backoff_confidence
        if posterior[best] >= needed:
            score[main] = settings.model_weight * posterior[best]
            first[main] = end


STOP = _words(
    """a an and the for with in on of to my me i is am are was were be been being it its it's
    this that these those he she they we you your his her their our him them us at by from as
    or if so do does did have has had will would can could should just about what when how why
    there here then than too very really also get got like one some any all more much im ive
    id dont its thats de la el en y que a los las un una por con para se lo le me mi"""
)


# --- Which language the person wrote in -------------------------------------------------------

# Common Spanish words that are not also common English words ("no", "me", "a", "he", "son",
# "con" are left out): enough to tell a Spanish sentence from an English one, nothing more.
_SPANISH = _words(
    """que de la el las los y en por para una unos unas del al lo su sus mi mis yo tu
    muy mas pero porque cuando como donde tengo tiene tienen tenia estoy esta estan estaba
    soy es era fue ser estar hay puedo puede quiero siento siente hace hago desde hasta
    sobre todo todos todas nada algo mucho mucha muchos poco siempre nunca tambien ya
    mismo misma ella ellos nosotros usted ahora despues antes bien mal dia dias anos vez
    siento le les sin ni sea eso esto esa ese cosas vida casa trabajo
    esposo esposa hijo hija hijos madre padre mama papa pareja novio novia familia
    ansiedad depresion deprimido deprimida triste tristeza miedo sola dormir ayuda
    necesito hacer problema problemas estres"""
)
# Spanish when this share of the words are Spanish ones and at least two are, or when half
# of a short text is ("Tengo ansiedad").
SPANISH_SHARE = 0.25
SPANISH_MIN_WORDS = 2


def looks_spanish(text: str) -> bool:
    """Whether the person wrote in Spanish (a word-list share: "No puedo dormir y bebo
    demasiado" is Spanish, "I can't sleep, la la la" is not). Used to offer, never to
    assume, a Spanish-speaking therapist."""
    words = [w for w in tokens(text) if w not in _BREAK]
    found = sum(w in _SPANISH for w in words)
    if found >= SPANISH_MIN_WORDS:
        return found >= SPANISH_SHARE * len(words)
    return found >= 1 and found >= len(words) / 2
