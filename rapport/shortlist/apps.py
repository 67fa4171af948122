from django.apps import AppConfig


class ShortlistConfig(AppConfig):
    name = "rapport.shortlist"
    label = "shortlist"
    default_auto_field = "django.db.models.BigAutoField"
