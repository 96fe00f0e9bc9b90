from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "homeward.identity"
    label = "identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from homeward.identity import checks, signals  # noqa: F401 (registers checks and receivers)
