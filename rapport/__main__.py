"""The `rapport` command: Django's manage.py with our settings preset.

Every management command runs as `rapport <command>` (`rapport migrate`,
`rapport import_profiles FILE`, `rapport runserver`).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
