"""Every row held about a person, found by following the foreign keys that point at them.

Starting from the person (and any records merged into them), every row of every app whose foreign key
points at a row already found is about them too: episodes, then the risk assessments, updates, found
records, family contacts and return interviews that point at those episodes, and so on. Walking the model
graph, rather than listing tables, means a table added later is in the subject access export and in the
erasure scan without anyone remembering to add it. Staff accounts, organisations and places are only ever
pointed *at* by these rows, so the walk does not wander into other people's records; the audit log holds
ids, not foreign keys, and is searched separately.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model

from homeward.people.models import Person

# Apps whose rows are never "about" the person even if they point at them.
_NOT_SUBJECT_DATA = {"audit", "identity", "sessions", "contenttypes", "auth", "django_tasks_database"}

# Audit object types that are not the snake-case model name.
_AUDIT_ALIASES = {"protocols.profilemissingreport": ("profile_report",)}


def rows_about(person: Person) -> list[Model]:
    """The person, the records merged into them, and every row reachable through foreign keys pointing
    back at those rows, in a stable order (by model, then id)."""
    found: dict[tuple[str, int], Model] = {}
    queue: list[Model] = [person, *Person.objects.filter(merged_into=person)]
    while queue:
        obj = queue.pop()
        key = (obj._meta.label_lower, obj.pk)
        if key in found:
            continue
        found[key] = obj
        queue.extend(_pointing_at(obj))
    return sorted(found.values(), key=lambda o: (o._meta.label_lower, o.pk))


def _pointing_at(obj: Model) -> Iterator[Model]:
    for rel in obj._meta.related_objects:
        model = rel.related_model
        if isinstance(model, str) or rel.many_to_many or model._meta.app_label in _NOT_SUBJECT_DATA:
            continue
        if rel.one_to_one:
            try:
                yield getattr(obj, rel.get_accessor_name())  # type: ignore[arg-type]
            except ObjectDoesNotExist:
                pass
            continue
        yield from model._base_manager.filter(**{rel.field.name: obj}).order_by("pk")


def audit_names(obj: Model) -> set[tuple[str, str]]:
    """The (object_type, object_id) pairs under which the audit log names `obj`."""
    label = obj._meta.label_lower
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()
    types = {snake, f"{obj._meta.app_label}_{snake}", *_AUDIT_ALIASES.get(label, ())}
    names = {(t, str(obj.pk)) for t in types}
    names.add(("record", f"{label}:{obj.pk}"))
    return names
