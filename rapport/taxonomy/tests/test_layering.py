"""The taxonomy is below the directory: the directory imports it, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import rapport.taxonomy

TAXONOMY = Path(rapport.taxonomy.__file__).parent
# No exceptions: the `sync_taxonomy` command, which also moves the search index
# version, is the directory's (`directory/management/commands/`).
ALLOWED: set[str] = set()


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, relative ones resolved."""
    package = ["rapport", "taxonomy", *path.relative_to(TAXONOMY).parent.parts]
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            modules.add(module)
            # "from .. import directory" names the module in the imported names.
            modules.update(f"{module}.{alias.name}" for alias in node.names)
    return modules


def test_no_taxonomy_module_imports_the_directory() -> None:
    offenders = []
    for path in sorted(TAXONOMY.rglob("*.py")):
        name = path.relative_to(TAXONOMY).as_posix()
        if name.startswith("tests/") or name in ALLOWED:
            continue
        modules = imported_modules(path)
        if any(m == "rapport.directory" or m.startswith("rapport.directory.") for m in modules):
            offenders.append(name)
    assert offenders == []
