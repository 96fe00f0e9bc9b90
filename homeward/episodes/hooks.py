"""What other parts of Homeward do when an episode changes state.

Called by the episode actions inside their transaction, so whatever these record (notifications,
referrals…) commits or rolls back with the change itself. Explicit calls, not signals: reading an
action shows everything it sets off. Each feature app owns the function it registers here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homeward.episodes.models import Episode
    from homeward.identity.models import User


def after_reported(episode: Episode, actor: User | None) -> None:
    from homeward.notifications.services import notify_reported

    notify_reported(episode=episode, actor=actor)


def after_found(episode: Episode, actor: User | None) -> None:
    from homeward.notifications.services import notify_found
    from homeward.returns.services import refer_on_return

    notify_found(episode=episode, actor=actor)
    refer_on_return(episode=episode, actor=actor)


def after_not_recorded(episode: Episode, actor: User | None) -> None:
    from homeward.notifications.services import notify_not_recorded

    notify_not_recorded(episode=episode, actor=actor)


def after_recorded_on_appeal(episode: Episode, actor: User | None) -> None:
    from homeward.notifications.services import notify_recorded_on_appeal

    notify_recorded_on_appeal(episode=episode, actor=actor)
