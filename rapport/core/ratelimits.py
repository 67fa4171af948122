"""Rate limits: one table of which POSTs are limited, counted with django-ratelimit in the cache.

Counts live in the default cache, so with Redis (`REDIS_URL`) every process and app server
shares them; with the local-memory cache each worker counts on its own (docs/deploy.md).
Over a limit, the request is answered 429 with `Retry-After` and a page that says how long to
wait, before the view runs. A cache that cannot be reached limits nothing
(`RATELIMIT_FAIL_OPEN`): a Redis outage must not lock people out of the site.

The limits are applied by URL name in a middleware, so views owned elsewhere (the admin's
login) need no change; a new limit (sign-up, contact, reports) is one line in `LIMITS`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: from the proxy's header in production (nginx sets X-Real-IP and
    overwrites what a client sent), else the socket's."""
    header = getattr(settings, "RAPPORT_CLIENT_IP_HEADER", "")
    value = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    value = value.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return "unknown"  # a unix socket with no proxy header: one shared bucket


def _ip(group: str, request: HttpRequest) -> str:
    address = client_ip(request)
    if ":" in address:
        # One person usually holds a whole IPv6 /64.
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def _login_account(group: str, request: HttpRequest) -> str:
    # Guesses spread over many addresses against one account. Email login: case-folded.
    # allauth's forms name the field `login` (sign-in) or `email` (reset); the admin's,
    # `username` (it now redirects to allauth's, but a scripted POST can still reach it).
    for field in ("login", "email", "username"):
        if value := request.POST.get(field, "").strip():
            return value.casefold()
    return ""


def _recipient(group: str, request: HttpRequest) -> str:
    # The profile a contact form posts to, from its URL (/therapists/<slug>/contact/): many
    # addresses writing to one therapist is a flood whatever each address sends.
    match = request.resolver_match
    return str(match.kwargs.get("slug", "")) if match is not None else ""


@dataclass(frozen=True)
class Limit:
    group: str
    key: Callable[[str, HttpRequest], str]
    rate: str  # django-ratelimit's "count/period": 5/m, 20/h


# Sign-in limits (docs/decisions.md "Accounts"): every window is short, so the real owner
# waits minutes at worst, and nothing locks an account. Login counts every try (the right
# password too), per address and per account; one account shares its count between the
# admin's form and allauth's.
_LOGIN = (
    Limit("login-ip", _ip, "5/m"),
    Limit("login-account", _login_account, "10/15m"),
)

# URL name -> the limits its POSTs count against.
LIMITS: dict[str, tuple[Limit, ...]] = {
    "admin:login": _LOGIN,
    "account_login": _LOGIN,
    # A passkey sign-in names no account: it counts with the address's password tries.
    "mfa_login_webauthn": (Limit("login-ip", _ip, "5/m"),),
    # Scripted sign-ups: a household or office behind one address still gets a few.
    "account_signup": (Limit("signup-ip", _ip, "5/h"),),
    # Each reset request may send an email: per address, and per inbox against mail bombing.
    "account_reset_password": (
        Limit("reset-ip", _ip, "5/15m"),
        Limit("reset-account", _login_account, "3/h"),
    ),
    "account_reset_password_from_key": (Limit("reset-key-ip", _ip, "10/15m"),),
    # Guessing a 6-digit code: a signed-in-halfway session may try 5 a minute.
    "mfa_authenticate": (Limit("mfa-ip", _ip, "5/m"),),
    "mfa_reauthenticate": (Limit("mfa-ip", _ip, "5/m"),),
    "account_reauthenticate": (Limit("login-ip", _ip, "5/m"),),
    "matching:keep": (Limit("saved-lists-ip", _ip, "20/h"),),
    "account:claim_email": (Limit("claim-ip", _ip, "10/h"),),
    "account:claim_request": (Limit("claim-ip", _ip, "10/h"),),
    # Reports reach a moderator's queue: a few an hour from one address is plenty.
    "moderation:report": (Limit("report-ip", _ip, "5/h"),),
    # Contact requests (issue 17). Every POST counts, a corrected mistake or the crisis
    # screen's "Send my message" too, so a person gets room for a few of those; a script
    # does not. Per recipient: a flood at one therapist from many addresses.
    "messaging:contact": (
        Limit("contact-ip", _ip, "10/h"),
        Limit("contact-ip-day", _ip, "20/d"),
        Limit("contact-recipient", _recipient, "30/d"),
    ),
}


# Pages that answer a 429 themselves, by URL name: the view (a dotted path) draws the form
# again with everything that was typed and how long to wait. A contact request that took a
# while to write is not lost to a limit.
OWN_429_PAGES: dict[str, str] = {
    "messaging:contact": "rapport.messaging.views.contact_rate_limited",
}


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    seconds = max(1, retry_after)
    response: HttpResponse
    match = request.resolver_match
    if match is not None and match.view_name in OWN_429_PAGES:
        own_page = import_string(OWN_429_PAGES[match.view_name])
        response = own_page(request, minutes=max(1, -(-seconds // 60)), **match.kwargs)
        response.status_code = 429
    elif request.path.startswith("/api/"):
        response = JsonResponse({"error": "Too many requests. Please wait and try again."})
        response.status_code = 429
    else:
        minutes = max(1, -(-seconds // 60))
        response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        if request.method != "POST" or request.resolver_match is None:
            return None
        limited = False
        retry_after = 1
        for limit in LIMITS.get(request.resolver_match.view_name, ()):
            usage = get_usage(
                request, group=limit.group, key=limit.key, rate=limit.rate, increment=True
            )
            if usage is not None and usage["should_limit"]:
                # In a window's last second `time_left` is 0: still over the limit. (Reading
                # 0 as "not limited" let every request through in that second, each minute.)
                limited = True
                retry_after = max(retry_after, int(usage["time_left"]))
        return too_many_requests(request, retry_after) if limited else None
