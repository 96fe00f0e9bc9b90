from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "homeward.dataprotection"
    label = "dataprotection"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Data protection: subject access, correction, retention and erasure"
