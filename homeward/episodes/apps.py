from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "homeward.episodes"
    label = "episodes"
    default_auto_field = "django.db.models.BigAutoField"
