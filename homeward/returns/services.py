"""Return home interviews. PLACEHOLDER — the returns helper replaces these bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homeward.episodes.models import Episode
    from homeward.identity.models import User


def refer_on_return(*, episode: Episode, actor: User | None) -> None:
    return None
