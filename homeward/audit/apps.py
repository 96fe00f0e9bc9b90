from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "homeward.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from homeward.audit import checks  # noqa: F401  (registers the retention check)
        from homeward.audit.guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="homeward.audit.sqlite_guard")
        # A connection opened before the apps were ready still needs the function.
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_function(None, connection)
