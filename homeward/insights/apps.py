from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "homeward.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: reports, measures and exports (SPEC §7)"
