"""Every model change ships with its migration."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_it_has_no_model_changes_without_a_migration() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        # --check exits 1 when a migration is missing; show which one.
        pytest.fail(
            f"makemigrations --check found model changes without a migration "
            f"(exit {exc.code}); run `rapport makemigrations`:\n{out.getvalue()}",
            pytrace=False,
        )
