"""`rapport export_profiles [-o FILE]`: write profiles in the interchange format."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.core.progress import Progress
from rapport.directory import interchange
from rapport.directory.models import TherapistProfile


class Command(BaseCommand):
    help = "Export profiles as JSON Lines (default) or CSV; .gz compresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", help="file to write (.jsonl, .csv, .gz); default stdout"
        )
        parser.add_argument(
            "--format",
            choices=["jsonl", "csv"],
            help="format when writing to stdout (default jsonl)",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="include profiles that are not published (drafts, pending, suspended)",
        )

    def handle(self, *args: object, **options: object) -> None:
        output = options.get("output")
        try:
            fmt = (
                interchange.file_format(str(output))
                if output
                else (options.get("format") or "jsonl")
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        queryset = TherapistProfile.objects.all() if options["all"] else None
        total = (queryset or TherapistProfile.objects.published()).count()
        writer = interchange.write_csv if fmt == "csv" else interchange.write_jsonl
        with Progress(total=total, desc="export") as progress:
            documents = interchange.export_documents(queryset, progress=progress)
            if not output:
                count = writer(documents, sys.stdout)
            else:
                path = Path(str(output))
                # Write beside the target and rename, so a crash never leaves half a file.
                tmp = path.with_name(path.name + ".partial")
                with tmp.open("wb") as raw:
                    # mtime=0 keeps a .gz export byte-identical across runs.
                    binary = (
                        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
                        if path.suffix == ".gz"
                        else raw
                    )
                    with io.TextIOWrapper(binary, encoding="utf-8", newline="") as stream:  # type: ignore[arg-type]
                        count = writer(documents, stream)
                tmp.replace(path)
        self.stderr.write(f"{count:,} profiles exported in {progress.elapsed:,.1f}s")
