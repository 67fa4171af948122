"""`rapport seed_demo --therapists N --seed S`: fill the directory with demo profiles.

The profiles come from `rapport.directory.demo` (deterministic: the same N and
seed give the same profiles on SQLite and PostgreSQL) and go through the
importer like any file, so they are validated exactly like real data, marked
`source: demo`, and a rerun updates them in place instead of duplicating them.
Two in three then get an abstract generated avatar (demo/avatars.py), and about half of the
licenses a demo verification record (moderation/demo.py), so the badge and the "verified"
filter can be seen working.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rapport.core.progress import Progress
from rapport.directory.demo import avatars, generate_documents, iter_numbered
from rapport.directory.interchange import import_documents
from rapport.directory.services import import_recorded
from rapport.taxonomy.models import Term

MAX_ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Add deterministic, realistic demo therapist profiles (source 'demo'); "
        "the same --seed always gives the same profiles."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--therapists", type=int, default=2000, help="how many profiles (default 2000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="profiles per committed batch"
        )

    def handle(self, *args: object, **options: object) -> None:
        count = int(options["therapists"])  # type: ignore[call-overload]
        seed = int(options["seed"])  # type: ignore[call-overload]
        batch_size = int(options["batch_size"])  # type: ignore[call-overload]
        if count < 0:
            raise CommandError("--therapists must be 0 or more")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        # Without the vocabularies every profile would fail on its first slug.
        if not Term.objects.active().exists():
            raise CommandError("The taxonomy is empty: run `rapport sync_taxonomy` first.")

        with Progress(total=count, desc="seed_demo") as progress:
            result = import_documents(
                iter_numbered(generate_documents(count, seed, today=timezone.localdate())),
                strict=False,
                pending=False,
                batch_size=batch_size,
                progress=progress,
            )
        if result.errors:
            # A generated profile the importer refuses is a generator bug (or
            # a taxonomy out of sync with its data files): show where.
            self.stderr.write("Some generated profiles failed validation:")
            for error in result.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(f"  {error}")
            if result.error_count > MAX_ERRORS_SHOWN:
                self.stderr.write(f"  ... and {result.error_count - MAX_ERRORS_SHOWN:,} more")
        import_recorded(result=result, file_name=f"seed_demo --therapists {count} --seed {seed}")
        self.stdout.write(result.summary())
        from rapport.moderation.demo import demo_verifications_record

        verified = demo_verifications_record(seed=seed)
        self.stdout.write(f"{verified:,} demo license verifications recorded (marked as demo).")
        with_avatar = avatars.assign()
        if with_avatar:
            self.stdout.write(
                f"{with_avatar:,} demo profiles got one of {avatars.COUNT} generated avatars."
            )
        if not result.ok:
            raise CommandError(
                f"{result.failed_lines:,} generated profile(s) failed validation; "
                "if `rapport sync_taxonomy` does not fix it, it is a bug in "
                "rapport/directory/demo/"
            )
