"""Crisis resources, read from the versioned `crisis.toml` beside this module.

The file is the single place these numbers live, so a quarterly re-check is one
reviewed change with a new `last_verified` date. It is validated when loaded:
a typo in a phone link or a resurrected retired option should fail the test
suite, not reach someone in crisis.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CONFIG_PATH = Path(__file__).with_name("crisis.toml")

ACTION_KINDS = frozenset({"call", "text", "chat", "web"})
_HREF = re.compile(r"^(tel:\+?\d+|sms:\+?\d+|https://[^\s\"'<>]+)$")
# 988's "press 3" LGBTQ+ youth option ended on 17 July 2025 (domain.md 3.1);
# offering it would send a young person to a menu option that no longer exists.
_RETIRED = re.compile(r"press\s*3", re.IGNORECASE)


class CrisisConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    label: str
    href: str

    @property
    def is_external(self) -> bool:
        return self.href.startswith("https://")


@dataclass(frozen=True, slots=True)
class Resource:
    slug: str
    name: str
    summary: str
    notes: tuple[str, ...]
    actions: tuple[Action, ...]
    source: str = ""  # where the numbers were checked (https), for the quarterly re-check


@dataclass(frozen=True, slots=True)
class CrisisConfig:
    version: int
    last_verified: datetime.date
    region: str
    resources: tuple[Resource, ...]

    def get(self, slug: str) -> Resource | None:
        return next((r for r in self.resources if r.slug == slug), None)


def parse(data: dict) -> CrisisConfig:
    """Validate and build the config from the parsed TOML document."""
    last_verified = data.get("last_verified")
    if not isinstance(last_verified, datetime.date) or isinstance(last_verified, datetime.datetime):
        raise CrisisConfigError("last_verified must be a date (YYYY-MM-DD)")
    version = data.get("version")
    if not isinstance(version, int):
        raise CrisisConfigError("version must be an integer")

    resources = []
    for index, raw in enumerate(data.get("resources", [])):
        where = f"resources[{index}]"
        for key in ("slug", "name", "summary"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise CrisisConfigError(f"{where}.{key} is required")
        actions = []
        for a_index, action in enumerate(raw.get("actions", [])):
            a_where = f"{where}.actions[{a_index}]"
            if action.get("kind") not in ACTION_KINDS:
                raise CrisisConfigError(f"{a_where}.kind must be one of {sorted(ACTION_KINDS)}")
            if not _HREF.match(action.get("href", "")):
                raise CrisisConfigError(f"{a_where}.href must be a tel:, sms: or https: URL")
            actions.append(Action(kind=action["kind"], label=action["label"], href=action["href"]))
        if not actions:
            raise CrisisConfigError(f"{where} needs at least one action")
        resource = Resource(
            slug=raw["slug"],
            name=raw["name"],
            summary=raw["summary"],
            notes=tuple(raw.get("notes", [])),
            actions=tuple(actions),
            source=_source(raw, where),
        )
        texts = [resource.name, resource.summary, *resource.notes, *(a.label for a in actions)]
        if any(_RETIRED.search(text) for text in texts):
            raise CrisisConfigError(f"{where} mentions 988's retired 'press 3' option")
        resources.append(resource)
    if not resources:
        raise CrisisConfigError("at least one resource is required")
    return CrisisConfig(
        version=version,
        last_verified=last_verified,
        region=str(data.get("region", "US")),
        resources=tuple(resources),
    )


def _source(raw: dict, where: str) -> str:
    source = raw.get("source", "")
    if source and not (isinstance(source, str) and source.startswith("https://")):
        raise CrisisConfigError(f"{where}.source must be an https: URL")
    return source


@cache
def load() -> CrisisConfig:
    with CONFIG_PATH.open("rb") as f:
        return parse(tomllib.load(f))
