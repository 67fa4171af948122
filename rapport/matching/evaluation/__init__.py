"""Offline evaluation of "Find your match": written vignettes and an independent checker.

`evaluate.py` runs each vignette in `vignettes.toml` through `scoring.rank()`
and checks every returned profile against the hard constraints, read back
from the database with the ORM. `rapport evaluate_matching` prints the report;
`docs/matching.md` explains the figures.

`triage_eval.py` measures `matching.triage` (levels of urgency in the free
text) on `triage_phrases.toml`, and reports the frozen held-out set
`triage_holdout.toml`; the same command prints both.
"""
