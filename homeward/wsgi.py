from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
application = get_wsgi_application()

# Outside a request, the web server's database connections see no force's records (ACC-5). Set by
# `homeward serve` for its gunicorn; importing this module elsewhere (tests, tools) changes nothing.
if os.environ.get("HOMEWARD_WEB_PROCESS") == "1":
    from homeward.security.row_security import web_process_starts

    web_process_starts()
