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
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=interchange.MAX_BYTES,
            help="refuse a file longer than this once decompressed (default 8 GiB)",
        )

    def handle(self, *args: object, **options: object) -> None:
        path = str(options["file"])
        result = interchange.ImportResult()
        # Whatever ends the run (a refused file, Ctrl-C, a database error), its audit event
        # is written, saying what was imported before it ended and why.
        failure = ""
        try:
            self._import(path, result, options)
            failure = result.stopped
        except CommandError as exc:
            failure = str(exc)
            raise
        except BaseException as exc:
            failure = f"ended by {type(exc).__name__}"
            raise
        finally:
            import_recorded(result=result, file_name=path, failure=failure)
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if result.error_count > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {result.error_count - MAX_ERRORS_SHOWN:,} more errors")
        self.stdout.write(result.summary())
        if result.stopped:
            raise CommandError(
                result.stopped + ("; nothing was imported (--strict)" if result.dry_run else "")
            )
        if not result.ok:
            raise CommandError(
                f"{result.failed_lines:,} line(s) failed validation"
                + ("; nothing was imported (--strict)" if result.dry_run else "")
            )

    def _import(self, path: str, result: interchange.ImportResult, options: dict) -> None:
        try:
            documents = interchange.ProfileFile(path, max_bytes=int(options["max_bytes"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with Progress(total=None, desc="import") as progress:
            interchange.import_documents(
                documents,
                strict=bool(options["strict"]),
                pending=bool(options["pending"]),
                batch_size=int(options["batch_size"]),
                progress=progress,
                result=result,
            )
        found = (
            result.created
            + result.updated
            + result.unchanged
            + result.skipped
            + result.failed_lines
        )
        if not found and not result.stopped:
            # Blank lines, or a CSV header alone: an export that went wrong, not "0 imported".
            raise CommandError(f"{path}: no profiles in the file (it is empty or only blank lines)")
