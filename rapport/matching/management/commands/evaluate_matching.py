"""`rapport evaluate_matching [--vignettes PATH] [--today YYYY-MM-DD] [--recount] [--text]`.

Runs the written vignettes through matching against whatever database is
configured (intended: `rapport seed_demo --therapists 100000 --seed 1`),
prints the report, and exits non-zero when a shown match breaks a hard
constraint, a crisis vignette is missed, an offer cannot help (a relaxation
adding nobody, a superbill with Medicaid), or a vignette names something the
questionnaire cannot (see `rapport/matching/evaluation/evaluate.py`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rapport.matching.evaluation.evaluate import VignetteError, evaluate, load_vignettes
from rapport.matching.evaluation.triage_eval import evaluate_holdout, evaluate_triage


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
        # Reading the need (issue 15): the counsel-chat figures of the free-text reading.
        parser.add_argument(
            "--text",
            action="store_true",
            help="only measure how free text is read into issues, on the counsel-chat "
            "questions (no database needed)",
        )
        parser.add_argument(
            "--counselchat",
            default="",
            help="the counsel-chat questions file (default: $RAPPORT_COUNSELCHAT_CSV; without "
            "one, the full run says the reading was not measured and --text fails)",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options.get("text"):
            self.stdout.write(self._reading(options, required=True), ending="")
            return
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
        # Triage levels (matching/triage.py) on their phrase fixture; no database needed.
        triage = evaluate_triage()
        self.stdout.write(triage.as_text() + evaluate_holdout().as_text(), ending="")
        self.stdout.write(self._reading(options, required=False), ending="")
        if not triage.ok:
            raise CommandError("triage evaluation failed: an imminent-risk phrase was missed")
        if not report.ok:
            raise CommandError(
                "matching evaluation failed: "
                f"{len(report.violations)} hard-constraint violation(s), "
                f"{len(report.crisis_missed)} missed crisis vignette(s), "
                f"{len(report.problems)} vignette problem(s), "
                f"{len(report.count_mismatches)} eligible-count mismatch(es), "
                f"{len(report.dishonest)} offer(s) that cannot help"
            )

    def _reading(self, options: dict[str, object], *, required: bool) -> str:
        """The counsel-chat report, or why it could not be measured (the file is not shipped)."""
        from rapport.matching.evaluation import counselchat

        named = str(options.get("counselchat") or "")
        try:
            return counselchat.evaluate_text(path=Path(named) if named else None).as_text()
        except (counselchat.MissingQuestions, FileNotFoundError) as exc:
            if required:
                raise CommandError(f"reading the need not measured: {exc}") from exc
            return f"\nReading the need: not measured ({exc}).\n"
