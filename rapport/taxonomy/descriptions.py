"""Approach and issue descriptions: a deliberately tiny text format (see content/README.md).

Descriptions are stored in `Term.description` as written; this module reads
them into sections and renders them as escaped HTML, so nothing in a
description can inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


@dataclass
class Section:
    heading: str
    blocks: list[str | list[str]] = field(default_factory=list)  # paragraph or list items


@dataclass
class Description:
    related: list[str]
    sections: list[Section]

    @property
    def words(self) -> int:
        total = 0
        for section in self.sections:
            for block in section.blocks:
                items = block if isinstance(block, list) else [block]
                total += sum(len(item.split()) for item in items)
        return total

    @property
    def first_paragraph(self) -> str:
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, str):
                    return block
        return ""


def parse(text: str) -> Description:
    lines = text.replace("\r\n", "\n").split("\n")
    related: list[str] = []
    if lines and lines[0].lower().startswith("related:"):
        related = [slug.strip() for slug in lines[0].split(":", 1)[1].split(",") if slug.strip()]
        lines = lines[1:]
    sections: list[Section] = [Section("")]
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            sections[-1].blocks.append(" ".join(paragraph))
            paragraph.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            sections.append(Section(line[3:].strip()))
        elif line.startswith("- "):
            flush()
            blocks = sections[-1].blocks
            if not blocks or not isinstance(blocks[-1], list):
                blocks.append([])
            blocks[-1].append(line[2:].strip())  # type: ignore[union-attr]
        else:
            paragraph.append(line)
    flush()
    return Description(related, [s for s in sections if s.heading or s.blocks])


def render(text: str, *, heading_level: int = 2, sections: slice = slice(None)) -> SafeString:
    """HTML for a description (or a slice of its sections), every word escaped."""
    parts: list[str] = []
    tag = f"h{heading_level}"
    for section in parse(text).sections[sections]:
        if section.heading:
            parts.append(format_html("<{}>{}</{}>", tag, section.heading, tag))
        for block in section.blocks:
            if isinstance(block, list):
                parts.append(
                    format_html(
                        "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in block))
                    )
                )
            else:
                parts.append(format_html("<p>{}</p>", block))
    return mark_safe("\n".join(parts))  # noqa: S308 - every part was built with format_html
