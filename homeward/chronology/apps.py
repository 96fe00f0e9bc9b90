from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "homeward.chronology"
    label = "chronology"
    default_auto_field = "django.db.models.BigAutoField"
