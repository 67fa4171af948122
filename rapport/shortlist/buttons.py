"""The "Save to shortlist" control on every surface that lists therapists, built in Python.

One builder for the search page's cards (which are built in Python for speed,
see directory/templatetags/search_tags.result_cards), the approach, issue and
place pages, profiles and match results, and for the htmx response that swaps
a control in place. Every interpolated value is escaped here.

Two shapes, because an HTML form cannot sit inside another form:
- `in_form=False`: its own little POST form (profile, match results, topic pages).
- `in_form=True`: a button inside the search page's GET form that posts to the
  shortlist instead (`formaction`/`formmethod`); the view then returns to the
  page it came from (its Referer, when that is this site).
Neither carries a CSRF token: rendering one would set a cookie on pages people
only browse. The change view checks the request's origin instead (views.py).
"""

from __future__ import annotations

import functools
from html import escape as _escape

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _


def escape(value: object) -> str:
    return _escape(str(value), quote=True)


@functools.cache
def _change_url(script_prefix: str) -> str:
    # Reversed once per script prefix: reverse() cost ~0.4 ms here, twenty times a search page.
    return escape(reverse("shortlist:change"))


def control_html(*, profile_id: int, name: str, saved: bool, next_url: str, in_form: bool) -> str:
    pk = int(profile_id)
    url = _change_url(get_script_prefix())
    action = "remove" if saved else "add"
    # The accessible name starts with the visible words (WCAG 2.5.3) and says whom.
    if saved:
        status = (
            f'<span class="shortlist-saved"><span aria-hidden="true">✓ </span>'
            f"{escape(_('Saved'))}</span> "
        )
        text = escape(_("Remove"))
        name_attr = escape(_("Remove %(name)s from your shortlist") % {"name": name})
        css = "shortlist-button shortlist-button-remove"
    else:
        status = ""
        text = escape(_("Save to shortlist"))
        name_attr = escape(_("Save to shortlist: %(name)s") % {"name": name})
        css = "shortlist-button"
    label = text
    button_id = f"sl-btn-{pk}"
    if in_form:
        values = f"{{&quot;{action}&quot;: &quot;{pk}&quot;, &quot;in_form&quot;: &quot;1&quot;}}"
        return (
            f'<div class="shortlist-control" id="sl-{pk}">{status}'
            f'<button type="submit" class="{css}" id="{button_id}" aria-label="{name_attr}"'
            f' name="{action}" value="{pk}"'
            f' formaction="{url}" formmethod="post" formnovalidate'
            f' hx-post="{url}" hx-vals="{values}" hx-params="add,remove,in_form"'
            f' hx-target="closest .shortlist-control" hx-swap="outerHTML"'
            # Not the search form's own settings, which htmx would pass down to this button.
            f' hx-push-url="false" hx-sync="this:drop">{label}</button></div>'
        )
    return (
        f'<form class="shortlist-control" id="sl-{pk}" method="post" action="{url}"'
        f' hx-post="{url}" hx-target="this" hx-swap="outerHTML" hx-push-url="false">'
        f'<input type="hidden" name="{action}" value="{pk}">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        f'{status}<button type="submit" class="{css}" id="{button_id}" aria-label="{name_attr}">'
        f"{label}</button></form>"
    )
