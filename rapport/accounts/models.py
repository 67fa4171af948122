"""Accounts: people who sign in (therapists, moderators, staff).

Email is the login from the first migration, so no username ever has to be
migrated away later.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)

    # Part of every session's auth hash: changing it ends every session of this user, on any
    # session backend ("sign out everywhere", services.end_all_sessions). Empty until first
    # used, which leaves the hash exactly Django's (sessions from before it stay valid).
    session_token = models.CharField(max_length=32, blank=True, default="", editable=False)

    # Deletion with an undo window (directory/account_data.py): when the person asked, and
    # each owned profile's status before it was hidden ({"<profile id>": "<status>"}), so
    # "Keep my account" can put every profile back exactly as it was.
    deletion_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    deletion_restore = models.JSONField(default=dict, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Email login: our manager's create_user takes no username, so it is not the
    # UserManager that AbstractUser declares.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's own (AbstractBaseUser) with the session token after the password hash:
        # both the current hash and the SECRET_KEY_FALLBACKS ones go through here.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_token, secret=secret, algorithm="sha256"
        ).hexdigest()
