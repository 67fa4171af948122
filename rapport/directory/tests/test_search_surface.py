"""The search package's public surface holds: nothing outside it reads its private names.

Every .py file under rapport/ and bench/ is parsed (not imported), so a private import in
a module no test loads is caught too. Two rules:

- no module outside `rapport/directory/search/` imports, or reads as an attribute, a name
  starting with `_` from the package or any of its modules;
- application code (not tests, not the benchmarks) imports only what the package's
  `__all__` exports, and no module of the package directly. Tests and benchmarks may reach
  a module's public names (`search.bitmaps.Band` to force each band shape, say).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from rapport.directory import search

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "rapport.directory.search"
PACKAGE_DIR = ROOT / "rapport" / "directory" / "search"
SUBMODULES = frozenset(p.stem for p in PACKAGE_DIR.glob("*.py") if p.stem != "__init__")


@dataclass(frozen=True)
class Use:
    path: str
    line: int
    module: str  # the package or one of its modules
    name: str  # the name read from it ("" for the module itself)

    def __str__(self) -> str:
        what = f"{self.module}.{self.name}" if self.name else self.module
        return f"{self.path}:{self.line}: {what}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module_name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module_name.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_ours(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def uses_of_search(path: Path) -> list[Use]:
    """Every name a module reads from the search package or its modules."""
    tree = ast.parse(path.read_text(), filename=str(path))
    shown = str(path.relative_to(ROOT))
    return _uses(tree, _module_name(path), shown, is_package=path.name == "__init__.py")


def _uses(tree: ast.Module, module_name: str, shown: str, *, is_package: bool) -> list[Use]:
    uses: list[Use] = []
    aliases: dict[str, str] = {}  # local name -> the package or module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            uses += _plain_import_uses(node, shown, aliases)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, module_name, is_package)
            uses += _from_import_uses(node, source, shown, aliases)
    # Then every `alias.name` read through a name bound to the package or a module of it.
    uses += [
        Use(shown, node.lineno, aliases[node.value.id], node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
    ]
    return uses


def _plain_import_uses(node: ast.Import, shown: str, aliases: dict[str, str]) -> list[Use]:
    """`import rapport.directory.search[.x] [as y]`."""
    uses = []
    for alias in node.names:
        if _is_ours(alias.name):
            uses.append(Use(shown, node.lineno, alias.name, ""))
            if alias.asname:
                aliases[alias.asname] = alias.name
    return uses


def _from_import_uses(
    node: ast.ImportFrom, source: str, shown: str, aliases: dict[str, str]
) -> list[Use]:
    """`from <source> import a [as b]`: a name of ours, one of our modules, or the package."""
    uses = []
    for alias in node.names:
        local = alias.asname or alias.name
        if not _is_ours(source):
            if f"{source}.{alias.name}" == PACKAGE:
                aliases[local] = PACKAGE
        elif source == PACKAGE and alias.name in SUBMODULES:
            uses.append(Use(shown, node.lineno, f"{PACKAGE}.{alias.name}", ""))
            aliases[local] = f"{PACKAGE}.{alias.name}"
        else:
            uses.append(Use(shown, node.lineno, source, alias.name))
    return uses


def _outside_files() -> list[Path]:
    files = [*(ROOT / "rapport").rglob("*.py"), *(ROOT / "bench").glob("*.py")]
    return sorted(p for p in files if PACKAGE_DIR not in p.parents and ".venv" not in p.parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_application_code(path: Path) -> bool:
    relative = path.relative_to(ROOT).parts
    return relative[0] == "rapport" and "tests" not in relative


def test_it_reads_what_a_module_reads_from_search() -> None:
    """The parser itself: every way of reaching the package is seen (a rule is only as good)."""
    source = (
        "from rapport.directory import search as s\n"
        "from .search import _Band\n"
        "from rapport.directory.search import SearchQuery, bitmaps\n"
        "from rapport.directory.search.text import _WORD\n"
        "import rapport.directory.search.ranking as r\n"
        "s._run_segment(); bitmaps.Band; r.top_order; s.__file__\n"
    )
    tree = ast.parse(source)
    found = {
        (u.module, u.name)
        for u in _uses(tree, "rapport.directory.probe", "probe", is_package=False)
    }
    assert found == {
        (PACKAGE, "SearchQuery"),
        (PACKAGE, "_Band"),
        (f"{PACKAGE}.bitmaps", ""),
        (f"{PACKAGE}.text", "_WORD"),
        (f"{PACKAGE}.ranking", ""),
        (PACKAGE, "_run_segment"),
        (f"{PACKAGE}.bitmaps", "Band"),
        (f"{PACKAGE}.ranking", "top_order"),
        (PACKAGE, "__file__"),
    }


def test_no_module_outside_the_package_reads_its_private_names() -> None:
    private = [
        str(use)
        for path in _outside_files()
        for use in uses_of_search(path)
        if _is_private(use.name)
    ]
    assert private == [], "private names of the search package read from outside it"


@pytest.mark.parametrize("name", search.__all__)
def test_every_exported_name_exists(name: str) -> None:
    assert hasattr(search, name)


def test_application_code_imports_only_what_the_package_exports() -> None:
    public = set(search.__all__)
    outside = [
        str(use)
        for path in _outside_files()
        if _is_application_code(path)
        for use in uses_of_search(path)
        if use.module != PACKAGE
        or (use.name and use.name not in public and not use.name.startswith("__"))
    ]
    assert outside == [], "application code must import from rapport.directory.search's __all__"
