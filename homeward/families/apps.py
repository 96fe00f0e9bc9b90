from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "homeward.families"
    label = "families"
    default_auto_field = "django.db.models.BigAutoField"
