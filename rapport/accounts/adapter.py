"""allauth's adapter: its emails go through the task queue; staff land in the admin."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse

from rapport.core.tasks import enqueue_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Rendered here, with the request (links need its host); sent by the worker, in the
        # transaction of the change that asked for it (rapport/core/tasks.py).
        request = allauth_context.request
        # allauth's emails say "Hello from {{ current_site.name }}": the site's name, not
        # the host name that Django's RequestSite would give.
        site = SimpleNamespace(name=settings.SITE_NAME, domain=get_current_site(request).domain)
        ctx = {"request": request, "email": email, "current_site": site}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (str(body) for body, mime in message.alternatives if mime == "text/html"), ""
            )
        body = str(message.body)
        if getattr(message, "content_subtype", "plain") == "html":
            html, body = body, ""  # an html-only template: keep it as the alternative
        enqueue_email(list(message.to), str(message.subject), body, html)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_authenticated and user.is_staff:
            return reverse("admin:index")
        if getattr(user, "deletion_requested_at", None) is not None:
            # Within the undo window: straight to "Keep my account" (account_data.py).
            return reverse("account:delete")
        return super().get_login_redirect_url(request)
