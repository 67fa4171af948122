"""How well free text is read into issues, measured on real questions (counsel-chat).

The questions are not shipped in the repository (they are not ours to republish wholesale):
point `RAPPORT_COUNSELCHAT_CSV` (or `rapport evaluate_matching --counselchat PATH`) at a copy.
Two layouts are read: one row per question (`question_id,title,text,topics`, topics
`;`-separated, as the project's evaluation copy of the `train` split: 695 questions), or the
data set's own file (`nbertagnolli/counsel-chat`, `data/20200325_counsel_chat.csv`: one row
per answer with `questionID,questionTitle,questionText,topic`), whose rows are grouped per
question with the union of their topics. `label_map.toml` says which of our issues answer
each label.
For every scored question (at least one label that is not excluded) the reader's
suggestions are compared with the union of its labels' issue sets:

- right: any suggestion is in the set;
- none: no suggestion at all;
- first right: the first suggestion (the main concern) is in the set.

`evaluate_text()` reports the shipped reader on the whole file (the model was trained on
it, so that figure is optimistic), the same by 5-fold cross-validation (the model trained
on 4/5 and measured on the other 1/5: the estimate for unseen questions), and the phrases
alone. `rapport evaluate_matching --text` prints it.
"""

from __future__ import annotations

import csv
import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapport.matching import understanding as u

HERE = Path(__file__).parent
QUESTIONS_ENV = "RAPPORT_COUNSELCHAT_CSV"
LABEL_MAP = HERE / "label_map.toml"
FOLDS = 5

Reader = Callable[[str], list[str]]


@dataclass(frozen=True)
class Question:
    qid: int
    title: str
    text: str
    labels: tuple[str, ...]

    @property
    def whole(self) -> str:
        """What the person wrote: the title, then the question."""
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class LabelMap:
    issues: dict[str, tuple[str, ...]]  # label -> issue slugs, the main one first
    excluded: frozenset[str]

    def accepted(self, question: Question) -> frozenset[str]:
        return frozenset(s for lab in self.scored_labels(question) for s in self.issues[lab])

    def scored_labels(self, question: Question) -> tuple[str, ...]:
        return tuple(lab for lab in question.labels if lab in self.issues)


class MissingQuestions(LookupError):
    """The counsel-chat questions are not on this machine (they are not in the repository)."""


def questions_path() -> Path:
    """The questions file named by RAPPORT_COUNSELCHAT_CSV; a clear error when there is none."""
    named = os.environ.get(QUESTIONS_ENV, "").strip()
    if not named:
        raise MissingQuestions(
            f"set {QUESTIONS_ENV} to a counsel-chat questions file (see docs/matching.md, "
            "'Reading the need'); the questions are not shipped in the repository"
        )
    path = Path(named)
    if not path.is_file():
        raise MissingQuestions(f"{QUESTIONS_ENV}={named}: no such file")
    return path


def load_questions(path: Path | None = None) -> list[Question]:
    """Questions from either layout (see the module doc), in file order."""
    with (path or questions_path()).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "questionID" in rows[0]:
        return _grouped_answers(rows)
    return [
        Question(
            int(row["question_id"]),
            row["title"],
            row["text"],
            tuple(t for t in row["topics"].split(";") if t),
        )
        for row in rows
    ]


def _grouped_answers(rows: list[dict[str, str]]) -> list[Question]:
    """The data set's own file has a row per answer: one question, the union of its topics."""
    seen: dict[int, Question] = {}
    for row in rows:
        qid = int(row["questionID"])
        topics = tuple(t.strip() for t in row.get("topic", "").split(",") if t.strip())
        earlier = seen.get(qid)
        if earlier is None:
            text = " ".join((row.get("questionText") or "").split())
            seen[qid] = Question(qid, " ".join(row["questionTitle"].split()), text, topics)
        else:
            merged = earlier.labels + tuple(t for t in topics if t not in earlier.labels)
            seen[qid] = Question(qid, earlier.title, earlier.text, merged)
    return list(seen.values())


def load_label_map(path: Path = LABEL_MAP) -> LabelMap:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    issues = {label: tuple(slugs) for label, slugs in data["labels"].items()}
    known = u.issue_slugs()
    unknown = sorted({s for slugs in issues.values() for s in slugs} - known)
    if unknown:
        raise ValueError(f"label_map.toml names unknown issue slugs: {unknown}")
    return LabelMap(issues, frozenset(data["excluded"]["labels"]))


def scored(questions: Sequence[Question], labels: LabelMap) -> list[Question]:
    """The questions with at least one label that can be scored."""
    return [q for q in questions if labels.scored_labels(q)]


@dataclass
class Figures:
    name: str
    questions: int = 0
    right: int = 0
    none: int = 0
    first_right: int = 0
    suggestions: int = 0
    misses: list[int] = field(default_factory=list)  # question ids with no right suggestion

    def add(self, question: Question, accepted: frozenset[str], suggested: Sequence[str]) -> None:
        self.questions += 1
        self.suggestions += len(suggested)
        if not suggested:
            self.none += 1
        if any(s in accepted for s in suggested):
            self.right += 1
        else:
            self.misses.append(question.qid)
        if suggested and suggested[0] in accepted:
            self.first_right += 1

    def share(self, count: int) -> float:
        return count / self.questions if self.questions else 0.0

    def line(self) -> str:
        return (
            f"{self.name:<44} {self.share(self.right):6.1%} {self.share(self.none):6.1%} "
            f"{self.share(self.first_right):6.1%} {self.suggestions / max(self.questions, 1):5.2f}"
        )


@dataclass
class TextReport:
    total: int
    scored: int
    figures: list[Figures]

    def get(self, name: str) -> Figures:
        return next(f for f in self.figures if f.name == name)

    def as_text(self) -> str:
        head = (
            "Reading the need (counsel-chat questions, rapport/matching/evaluation/counselchat.py)\n"
            f"  {self.total} questions, {self.scored} scored (the others carry only labels too "
            "broad to score)\n"
            f"  {'':<44} {'right':>6} {'none':>6} {'first':>6} {'shown':>5}\n"
        )
        return head + "".join(f"  {f.line()}\n" for f in self.figures)


def measure(
    name: str, read: Reader, questions: Sequence[Question], labels: LabelMap, *, whole: bool = True
) -> Figures:
    figures = Figures(name)
    for q in questions:
        figures.add(q, labels.accepted(q), read(q.whole if whole else q.text))
    return figures


def folds(questions: Sequence[Question], k: int = FOLDS) -> list[list[Question]]:
    """k folds by question id (deterministic, no shuffling: ids are in the file's order)."""
    return [[q for q in questions if q.qid % k == i] for i in range(k)]


def cross_validate(
    questions: Sequence[Question],
    labels: LabelMap,
    *,
    k: int = FOLDS,
    settings: u.Settings = u.SETTINGS,
    name: str = "",
) -> Figures:
    """The reader with a model trained on k-1 folds, measured on the fold left out."""
    from rapport.matching.evaluation.train_text import fit

    total = Figures(name or f"phrases + model, {k}-fold cross-validation")
    for held in folds(questions, k):
        held_ids = {q.qid for q in held}
        model = u.Model.from_counts(fit([q for q in questions if q.qid not in held_ids], labels))
        part = measure("", _reader(model, settings), held, labels)
        total.questions += part.questions
        total.right += part.right
        total.none += part.none
        total.first_right += part.first_right
        total.suggestions += part.suggestions
        total.misses.extend(part.misses)
    return total


def _reader(model: u.Model, settings: u.Settings) -> Reader:
    def read(text: str) -> list[str]:
        return u.suggest_issues(text, text_model=model, settings=settings)

    return read


def evaluate_text(*, k: int = FOLDS, path: Path | None = None) -> TextReport:
    questions = load_questions(path)
    labels = load_label_map()
    items = scored(questions, labels)
    figures = [
        cross_validate(items, labels, k=k),
        measure("phrases + shipped model, whole file (seen)", u.suggest_issues, items, labels),
        measure("phrases alone", lambda t: u.suggest_issues(t, text_model=None), items, labels),
        measure(
            "phrases + shipped model, text without title",
            u.suggest_issues,
            items,
            labels,
            whole=False,
        ),
    ]
    return TextReport(len(questions), len(items), figures)
