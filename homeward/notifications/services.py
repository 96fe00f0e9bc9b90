"""Automatic notifications to partners. PLACEHOLDER — the notifications helper replaces these bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homeward.episodes.models import Episode
    from homeward.identity.models import User


def notify_reported(*, episode: Episode, actor: User | None) -> None:
    return None


def notify_found(*, episode: Episode, actor: User | None) -> None:
    return None
