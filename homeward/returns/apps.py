from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "homeward.returns"
    label = "returns"
    default_auto_field = "django.db.models.BigAutoField"
