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
    return request.POST.get("username", "").strip().casefold()


@dataclass(frozen=True)
class Limit:
    group: str
    key: Callable[[str, HttpRequest], str]
    rate: str  # django-ratelimit's "count/period": 5/m, 20/h


# URL name -> the limits its POSTs count against.
LIMITS: dict[str, tuple[Limit, ...]] = {
    "admin:login": (
        Limit("login-ip", _ip, "5/m"),
        Limit("login-account", _login_account, "20/h"),
    ),
    "matching:keep": (Limit("saved-lists-ip", _ip, "20/h"),),
    "account:claim_email": (Limit("claim-ip", _ip, "10/h"),),
    "account:claim_request": (Limit("claim-ip", _ip, "10/h"),),
}


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    seconds = max(1, retry_after)
    response: HttpResponse
    if request.path.startswith("/api/"):
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
        retry_after = 0
        for limit in LIMITS.get(request.resolver_match.view_name, ()):
            usage = get_usage(
                request, group=limit.group, key=limit.key, rate=limit.rate, increment=True
            )
            if usage is not None and usage["should_limit"]:
                retry_after = max(retry_after, int(usage["time_left"]))
        return too_many_requests(request, retry_after) if retry_after else None
