from __future__ import annotations

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "homeward.security"
    label = "security"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from homeward.security import checks  # noqa: F401 - registers the system checks
        from homeward.security.row_security import install_after_migrate, on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="homeward_row_scope")

        # Once per migrate, and after every flush (sent for each app; this one's turn comes last, when
        # every table exists).
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="homeward_row_security")
