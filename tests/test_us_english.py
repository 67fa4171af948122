"""The interface speaks US English: license, practice (the verb too), behavior, organization.

Read from what a visitor can see: the strings marked for translation in the code and the
templates' text. Identifiers (`licence_verified`, CSS classes) are not the interface and stay.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BRITISH = re.compile(
    r"(?<![A-Za-z_])(licences?|practis(e|es|ed|ing)|behaviours?|organis(e|es|ed|ing|ation|ations)"
    r"|counsell(ing|or|ors)|colours?)(?![A-Za-z_])",
    re.IGNORECASE,
)
# A translated string in Python, a {% translate "..." %}, or a {% blocktranslate %} body.
PY_STRING = re.compile(r"""\b(?:_|gettext(?:_lazy)?|ngettext(?:_lazy)?)\(\s*("(?:[^"\\]|\\.)*")""")
TPL_STRING = re.compile(r'\{%\s*translate\s+"([^"]*)"')
TPL_BLOCK = re.compile(r"\{%\s*blocktranslate[^%]*%\}(.*?)\{%\s*end(?:blocktranslate|plural)", re.S)


def _interface_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "rapport"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        ROOT / name
        for name in listed
        if name.endswith((".py", ".html"))
        and "/tests/" not in name
        and "/migrations/" not in name
        and not name.startswith("rapport/directory/demo/")  # the demo's therapists write prose
        and name != "rapport/testing.py"
    ]


def british_words(text: str, *, template: bool) -> list[str]:
    pieces = (
        TPL_STRING.findall(text) + TPL_BLOCK.findall(text) if template else PY_STRING.findall(text)
    )
    return [m.group(0) for piece in pieces for m in BRITISH.finditer(piece)]


def test_the_reader_finds_british_spellings_in_each_kind_of_string() -> None:
    assert british_words('x = _("Licence verified")', template=False) == ["Licence"]
    assert british_words('{% translate "who practise it" %}', template=True) == ["practise"]
    body = "{% blocktranslate %}an organisation's behaviour{% endblocktranslate %}"
    assert british_words(body, template=True) == ["organisation", "behaviour"]
    assert british_words('x = _("License verified"); licence_verified = 1', template=False) == []


@pytest.mark.parametrize("path", _interface_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_interface_is_in_us_english(path: Path) -> None:
    found = british_words(path.read_text(encoding="utf-8"), template=path.suffix == ".html")
    assert found == [], f"{path.relative_to(ROOT)}: use US spelling for {sorted(set(found))}"
