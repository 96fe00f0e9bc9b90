"""Static files: WhiteNoise, plus GOV.UK Frontend's fonts and images at /assets/.

GOV.UK Frontend's precompiled CSS refers to `/assets/fonts/…` and `/assets/images/…`, so those are
served at that prefix straight from node_modules rather than recompiling the Sass.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


# whitenoise ships no type information (ignore_missing_imports makes it Any), and strict mypy refuses
# a class whose base is Any: the ignore covers that one check on this one line.
class HomewardWhiteNoise(WhiteNoiseMiddleware):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assets = settings.NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets"
        if assets.exists():
            self.add_files(str(assets), prefix="assets/")
        moj_assets = settings.NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets"
        if moj_assets.exists():
            self.add_files(str(moj_assets), prefix="assets/")
