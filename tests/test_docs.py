"""The project's docs stand on their own: nothing points outside the repository.

Users of Rapport have the repository and nothing else. Its docs once pointed at a
folder the project's developers shared ("shared/spec/profile-format.md"); what
users need from it now lives in `docs/`. These tests keep such references from
coming back, and keep the docs' own links pointing at files that exist.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Ways of naming the developers' shared folder that users do not have.
OUTSIDE = re.compile(r"\.\./shared|/work/shared|shared/spec|shared/docs")

# Where the build and the tools write; never part of the project.
NOT_OURS = {"data", "build", "test-results", "node_modules", "out", "__pycache__"}


def _ours(path: Path) -> bool:
    folders = path.relative_to(ROOT).parts[:-1]
    return not any(
        part in NOT_OURS or part.endswith(".egg-info") or (part.startswith(".") and part != ".ci")
        for part in folders
    )


def _project_files() -> list[Path]:
    """The repository's tracked files (or, outside a git checkout, its files on disk)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
        paths = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if p.is_file() and _ours(p)]
    return [p for p in paths if p.is_file() and p != Path(__file__).resolve()]


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary (compressed data, images): no prose to check


def _references_outside() -> dict[str, int]:
    found = {}
    for path in _project_files():
        text = _text(path)
        if text is not None and (count := len(OUTSIDE.findall(text))):
            found[path.relative_to(ROOT).as_posix()] = count
    return found


def test_it_names_nothing_outside_the_repository() -> None:
    found = _references_outside()
    assert not found, (
        "these files point at the developers' shared folder, which users do not have; "
        f"put what they need in docs/ and point there: {found}"
    )


# [text](target) in markdown, not images' or absolute URLs.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def test_its_docs_link_only_to_files_that_exist() -> None:
    docs = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for doc in docs:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or a heading on the same page
            if not (doc.parent / target.split("#")[0]).exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert not broken, f"links to files that do not exist: {broken}"
