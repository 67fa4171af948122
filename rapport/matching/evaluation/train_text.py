"""Fit the text model of "Reading the need" and write `rapport/matching/data/need_model.json`.

`python -m rapport.matching.evaluation.train_text` reproduces the shipped file from the
counsel-chat questions in `data/` and `label_map.toml` (deterministic: same input, same
bytes). The model is multinomial naive Bayes over word unigrams and bigrams
(`understanding.features`): what is stored is the word counts per counsel-chat label, the
number of questions per label, and each label's issues from the label map; the
probabilities are computed when the file is read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rapport.matching import understanding as u
from rapport.matching.evaluation.counselchat import (
    LabelMap,
    Question,
    load_label_map,
    load_questions,
    scored,
)

ALPHA = 0.5  # additive smoothing
MIN_DOCUMENTS = 2  # a feature must occur in this many questions to be kept


def fit(questions: Sequence[Question], labels: LabelMap) -> dict[str, Any]:
    """The model's counts, as stored in need_model.json."""
    names = sorted({lab for q in questions for lab in labels.scored_labels(q)})
    per_question = [(q, u.features(u.tokens(q.whole))) for q in questions]
    doc_freq = Counter(f for _q, feats in per_question for f in set(feats))
    vocab = sorted(f for f, n in doc_freq.items() if n >= MIN_DOCUMENTS)
    keep = set(vocab)
    counts: dict[str, Counter[str]] = {lab: Counter() for lab in names}
    documents: Counter[str] = Counter()
    for q, all_feats in per_question:
        feats = [f for f in all_feats if f in keep]
        for lab in labels.scored_labels(q):
            documents[lab] += 1
            counts[lab].update(feats)
    return {
        "about": "Multinomial naive Bayes over word unigrams and bigrams; written by "
        "rapport/matching/evaluation/train_text.py from counsel-chat questions (MIT).",
        "alpha": ALPHA,
        "labels": names,
        "main_issue": {lab: labels.issues[lab][0] for lab in names},
        "label_issues": {lab: list(labels.issues[lab]) for lab in names},
        "documents": {lab: documents[lab] for lab in names},
        "vocabulary": vocab,
        "counts": {lab: dict(sorted(counts[lab].items())) for lab in names},
    }


def write(path: Path = u.MODEL) -> dict[str, Any]:
    labels = load_label_map()
    data = fit(scored(load_questions(), labels), labels)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    return data


if __name__ == "__main__":
    written = write()
    print(
        f"wrote {u.MODEL}: {len(written['labels'])} labels, {len(written['vocabulary'])} features"
    )
