"""`rapport import_profiles FILE`: load profiles in the interchange format."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.core.progress import Progress
from rapport.directory import interchange
from rapport.directory.services import import_recorded

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = "Import therapist profiles from a .jsonl or .csv file (optionally .gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a .jsonl, .csv, .jsonl.gz or .csv.gz file")
        parser.add_argument(
            "--strict", action="store_true", help="import nothing unless every line is valid"
        )
        parser.add_argument(
            "--pending",
            action="store_true",
            help="put imported profiles in the moderation queue instead of publishing them",
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: object, **options: object) -> None:
        path = str(options["file"])
        try:
            fmt = interchange.file_format(path)
            stream = interchange.open_text(path)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        with stream, Progress(total=None, desc="import") as progress:
            result = interchange.import_documents(
                interchange.read_documents(stream, fmt),
                strict=bool(options["strict"]),
                pending=bool(options["pending"]),
                batch_size=int(options["batch_size"]),  # type: ignore[call-overload]
                progress=progress,
            )
        if not (
            result.created
            or result.updated
            or result.unchanged
            or result.skipped
            or result.failed_lines
        ):
            # Blank lines, or a CSV header alone: an export that went wrong, not "0 imported".
            raise CommandError(f"{path}: no profiles in the file (it is empty or only blank lines)")
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(result.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(result.errors) - MAX_ERRORS_SHOWN:,} more errors")
        import_recorded(result=result, file_name=path)
        self.stdout.write(result.summary())
        if not result.ok:
            raise CommandError(
                f"{result.failed_lines:,} line(s) failed validation"
                + ("; nothing was imported (--strict)" if result.dry_run else "")
            )
