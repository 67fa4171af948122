"""Measure `triage.triage()` on the written fixture (triage_phrases.toml).

For each specific level (imminent, commands, violence, medical):

- recall: the share of that section's phrases in which the level is found;
- precision: of every phrase in the fixture in which the level is found, the
  share that belong to it (its own section, or listed for it under [also]).

For the general level (crisis language, `mentions_crisis`): recall on the
general section, and false alarms on the not_urgent controls. Imminent recall
must be 100% (a test asserts it); everything else is reported as measured.

The phrases were written alongside the lexicons, so these are figures on a
development set (see triage.py's docstring).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from rapport.matching.triage import Level, triage

PHRASES = Path(__file__).with_name("triage_phrases.toml")
SECTIONS = {
    "imminent": Level.IMMINENT,
    "commands": Level.COMMANDS,
    "violence": Level.VIOLENCE,
    "medical": Level.MEDICAL,
    "general": Level.GENERAL,
    "not_urgent": Level.NONE,
}
SPECIFIC = (Level.IMMINENT, Level.COMMANDS, Level.VIOLENCE, Level.MEDICAL)
MINIMUM_PER_LEVEL = 150


class FixtureError(ValueError):
    pass


@dataclass(frozen=True)
class Phrase:
    text: str
    section: Level
    also: frozenset[Level] = frozenset()

    def belongs_to(self, level: Level) -> bool:
        return level is self.section or level in self.also


def load_phrases(path: Path | str | None = None) -> list[Phrase]:
    with Path(path or PHRASES).open("rb") as f:
        data = tomllib.load(f)
    also_raw = data.get("also", {})
    phrases: list[Phrase] = []
    seen: dict[str, str] = {}
    for name, level in SECTIONS.items():
        for text in data.get(name, {}).get("phrases", []):
            if text in seen:
                raise FixtureError(f"{text!r} is in both [{seen[text]}] and [{name}]")
            seen[text] = name
            try:
                also = frozenset(SECTIONS[key] for key in also_raw.get(text, []))
            except KeyError as exc:
                raise FixtureError(f"[also] {text!r}: unknown level {exc}") from exc
            phrases.append(Phrase(text, level, also))
    unknown = set(also_raw) - set(seen)
    if unknown:
        raise FixtureError(f"[also] names phrases in no section: {sorted(unknown)}")
    return phrases


@dataclass
class LevelFigures:
    level: Level
    phrases: int = 0
    found: int = 0
    flagged: int = 0  # phrases anywhere in which the level was found
    right: int = 0  # ... of which belong to it
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.phrases if self.phrases else 0.0

    @property
    def precision(self) -> float:
        return self.right / self.flagged if self.flagged else 0.0


@dataclass
class TriageReport:
    levels: dict[Level, LevelFigures]
    general_false_alarms: list[str]
    controls: int
    specific_false_alarms: list[str]
    name: str = "triage_phrases.toml"
    gated: bool = True
    # Imminent phrases that reached no level at all: no 988 or 911 on the screen but the header's.
    imminent_without_help: list[str] = field(default_factory=list)

    @property
    def imminent_recall(self) -> float:
        return self.levels[Level.IMMINENT].recall

    @property
    def ok(self) -> bool:
        return not self.levels[Level.IMMINENT].missed

    def as_text(self, *, examples: int = 5) -> str:
        title = (
            "Triage levels" if self.gated else "Triage levels, held-out set (reported, not gated)"
        )
        lines = ["", f"{title} (rapport/matching/evaluation/{self.name})"]
        for level in SPECIFIC:
            f = self.levels[level]
            gate = ""
            if level is Level.IMMINENT and self.gated:
                gate = "  [FAIL: must be 100%]" if f.missed else "  [PASS]"
            lines.append(
                f"  {level.key:<9} recall {f.found}/{f.phrases} ({f.recall:.1%}){gate}"
                f" · precision {f.right}/{f.flagged} ({f.precision:.1%})"
            )
            lines += [f"      missed: {text}" for text in f.missed[:examples]]
            lines += [f"      flagged wrongly: {text}" for text in f.wrong[:examples]]
            if level is Level.IMMINENT and f.missed:
                lines.append(
                    f"      missed with no help shown at all: {len(self.imminent_without_help)}"
                    f"/{f.phrases}"
                )
        g = self.levels[Level.GENERAL]
        lines.append(
            f"  general   recall {g.found}/{g.phrases} ({g.recall:.1%}) · false alarms on "
            f"controls {len(self.general_false_alarms)}/{self.controls} "
            f"({len(self.general_false_alarms) / max(self.controls, 1):.1%})"
        )
        lines += [f"      missed: {text}" for text in g.missed[:examples]]
        lines.append(
            f"  controls reaching a specific level: {len(self.specific_false_alarms)}/{self.controls}"
        )
        lines += [f"      {text}" for text in self.specific_false_alarms[:examples]]
        return "\n".join(lines) + "\n"


def evaluate_triage(
    phrases: list[Phrase] | None = None, *, name: str = "", gated: bool = True
) -> TriageReport:
    phrases = load_phrases() if phrases is None else phrases
    figures = {level: LevelFigures(level) for level in (*SPECIFIC, Level.GENERAL)}
    general_false_alarms: list[str] = []
    specific_false_alarms: list[str] = []
    imminent_without_help: list[str] = []
    controls = 0
    for phrase in phrases:
        found = set(triage(phrase.text).levels)
        if phrase.section is Level.IMMINENT and not found:
            imminent_without_help.append(phrase.text)
        if phrase.section is Level.NONE:
            controls += 1
            if Level.GENERAL in found:
                general_false_alarms.append(phrase.text)
            if found & set(SPECIFIC):
                names = ", ".join(level.key for level in sorted(found & set(SPECIFIC)))
                specific_false_alarms.append(f"{phrase.text}  ({names})")
        for level, f in figures.items():
            if phrase.section is level:
                f.phrases += 1
                if level in found:
                    f.found += 1
                else:
                    f.missed.append(phrase.text)
            if level in SPECIFIC and level in found:
                f.flagged += 1
                if phrase.belongs_to(level):
                    f.right += 1
                else:
                    f.wrong.append(phrase.text)
    return TriageReport(
        figures,
        general_false_alarms,
        controls,
        specific_false_alarms,
        name=name or PHRASES.name,
        gated=gated,
        imminent_without_help=imminent_without_help,
    )


HOLDOUT = PHRASES.with_name("triage_holdout.toml")


def evaluate_holdout() -> TriageReport:
    """The held-out set (triage_holdout.toml): reported, never gated, never tuned on."""
    return evaluate_triage(load_phrases(HOLDOUT), name=HOLDOUT.name, gated=False)
