from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "homeward.prevention"
    label = "prevention"
    default_auto_field = "django.db.models.BigAutoField"
