"""`rapport evaluate_matching [--vignettes PATH] [--today YYYY-MM-DD] [--recount]`.

Runs the written vignettes through matching against whatever database is
configured (intended: `rapport seed_demo --therapists 100000 --seed 1`),
prints the report, and exits non-zero when a shown match breaks a hard
constraint, a crisis vignette is missed, an offer cannot help (a relaxation
adding nobody, a superbill with Medicaid), or a vignette names something the
questionnaire cannot (see `rapport/matching/evaluation/evaluate.py`).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rapport.matching.evaluation.evaluate import VignetteError, evaluate, load_vignettes


class Command(BaseCommand):
    help = (
        "Run the matching vignettes against the configured database and check every result "
        "against the hard constraints; exits 1 on a violation or a missed crisis vignette."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--vignettes", default="", help="a vignettes TOML file (default: the bundled set)"
        )
        parser.add_argument(
            "--today",
            default="",
            help="the date to rank on, YYYY-MM-DD (rotation and freshness depend on it; "
            "default: today)",
        )
        parser.add_argument(
            "--recount",
            action="store_true",
            help="also derive every eligible set from the database and compare its size "
            "(slower: reads every published profile)",
        )

    def handle(self, *args: object, **options: object) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(str(options["today"]))
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD: {exc}") from exc
        try:
            vignettes = load_vignettes(str(options["vignettes"]) or None)
        except VignetteError as exc:
            raise CommandError(str(exc)) from exc
        report = evaluate(vignettes, today=today, recount=bool(options["recount"]))
        self.stdout.write(report.as_text(), ending="")
        if not report.ok:
            raise CommandError(
                "matching evaluation failed: "
                f"{len(report.violations)} hard-constraint violation(s), "
                f"{len(report.crisis_missed)} missed crisis vignette(s), "
                f"{len(report.problems)} vignette problem(s), "
                f"{len(report.count_mismatches)} eligible-count mismatch(es), "
                f"{len(report.dishonest)} offer(s) that cannot help"
            )
