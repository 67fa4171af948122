"""Writing the audit log: the one function every audited write calls, in its own transaction."""

from __future__ import annotations

from django.db import models

from .models import AuditEvent


def audit_record(*, actor, action: str, target: models.Model, reason: str = "") -> AuditEvent:
    """Write one audit event; callers run it inside their own transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        reason=reason,
    )
