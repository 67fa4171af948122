"""The editor's form fields, with their hint and error tied to the input for screen readers."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def widget(bound: forms.BoundField, validate: bool = False, extra_class: str = "") -> SafeString:
    """The input, `aria-describedby` its hint and (when shown) its error, `aria-invalid` on error."""
    described = []
    if bound.help_text:
        described.append(f"{bound.auto_id}-hint")
    attrs: dict[str, str | bool] = {}
    if validate and bound.errors:
        described.append(f"{bound.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if extra_class:
        attrs["class"] = extra_class
    return bound.as_widget(attrs=attrs)


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)
