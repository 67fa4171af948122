"""How `understanding.Settings` were chosen, and how much the choice flatters them.

`python -m rapport.matching.evaluation.tune_text` (with RAPPORT_COUNSELCHAT_CSV set; a few
minutes) scores every setting of GRID by 5-fold cross-validation and prints the best, then
repeats the choice inside each fold (nested cross-validation: the settings are chosen again
by cross-validation on the four training folds, with models trained on three of them, and
measured on the fold left out). Choosing the best of many settings on one file flatters it;
the nested figure estimates what the method, choice included, does on new questions.
Only settings with >= 85% right and <= 5% none are eligible. docs/matching.md §7 reports both.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

from rapport.matching import understanding as u
from rapport.matching.evaluation.counselchat import (
    Figures,
    LabelMap,
    Question,
    folds,
    load_label_map,
    load_questions,
    scored,
)
from rapport.matching.evaluation.train_text import fit

GRID: dict[str, Sequence[float]] = {
    "label_prior": (0.0, 0.5, 1.0),
    "mention": (0.4, 0.5),
    "first_sentence": (0.5, 1.0),
    "later": (0.0, 0.5),
    "temperature": (3.0, 4.0),
}

Scored = list[tuple[Question, u.Reading, u.Model]]


def settings_grid() -> list[u.Settings]:
    keys = list(GRID)
    out = []
    for values in itertools.product(*(GRID[k] for k in keys)):
        changes: dict[str, Any] = dict(zip(keys, values, strict=True))
        out.append(dataclasses.replace(u.SETTINGS, **changes))
    return out


def figures(items: Scored, labels: LabelMap, settings: u.Settings) -> Figures:
    out = Figures("")
    for q, reading, model in items:
        out.add(q, labels.accepted(q), u.order(reading, text_model=model, settings=settings))
    return out


def eligible(f: Figures) -> float:
    """First right when right and none meet their goals, else -1."""
    ok = f.share(f.right) >= 0.85 and f.share(f.none) <= 0.05
    return f.share(f.first_right) if ok else -1.0


def held_out(
    parts: Sequence[Sequence[Question]], readings: dict[int, u.Reading], labels: LabelMap
) -> Scored:
    """Each question of `parts` with a model trained on the other parts."""
    out: Scored = []
    for i, part in enumerate(parts):
        train = [q for j, other in enumerate(parts) if j != i for q in other]
        model = u.Model.from_counts(fit(train, labels))
        out.extend((q, readings[q.qid], model) for q in part)
    return out


def best(items: Scored, labels: LabelMap, grid: list[u.Settings]) -> tuple[u.Settings, Figures]:
    # Ties go to the earlier setting in the grid (max keeps the first).
    scored_grid = [(s, figures(items, labels, s)) for s in grid]
    return max(scored_grid, key=lambda pair: eligible(pair[1]))


def main() -> None:
    labels = load_label_map()
    questions = scored(load_questions(), labels)
    readings = {q.qid: u.Reading.of(q.whole) for q in questions}
    grid = settings_grid()
    parts = folds(questions)
    whole = held_out(parts, readings, labels)
    chosen, figs = best(whole, labels, grid)
    print(f"{len(grid)} settings; best by 5-fold cross-validation: {figs.line()}")
    print(f"  {chosen}")
    shipped = figures(whole, labels, u.SETTINGS)
    print(f"shipped settings, 5-fold cross-validation:  {shipped.line()}")
    nested = Figures("nested cross-validation")
    for k, test in enumerate(parts):
        inner = held_out([p for i, p in enumerate(parts) if i != k], readings, labels)
        pick, _inner_figs = best(inner, labels, grid)
        test_ids = {q.qid for q in test}
        part = figures([x for x in whole if x[0].qid in test_ids], labels, pick)
        print(f"  fold {k}: first right {part.share(part.first_right):.1%} with {pick}")
        for name in ("questions", "right", "none", "first_right", "suggestions"):
            setattr(nested, name, getattr(nested, name) + getattr(part, name))
    print(nested.line())


if __name__ == "__main__":
    main()
