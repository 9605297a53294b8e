"""What is held about a case or a citizen: every model reached from `Citizen` or `Case` by
following foreign keys backwards (the rows that point at them, the rows that point at those,
…), found from the models themselves, so a new model with a foreign-key path to a case is
exported and erased without being listed anywhere."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cache

from django.db import models

from rusmiddel.cases.models import Case


@dataclass(frozen=True)
class Held:
    """One model held about a root: `lookup` filters it by the root's ids (`<lookup>__in`)."""

    model: type[models.Model]
    lookup: str


@cache
def held_under(root: type[models.Model]) -> tuple[Held, ...]:
    """Every model whose rows belong to a `root` row, nearest first (breadth first; a model
    reached twice is filtered by its shortest path). Self-references are not followed: a
    relative's case that points at this case is the relative's own, and a course's next
    course belongs to the same case anyway."""
    found: dict[type[models.Model], str] = {}
    queue: deque[tuple[type[models.Model], str]] = deque([(root, "")])
    while queue:
        model, path = queue.popleft()
        for rel in model._meta.related_objects:
            child = rel.related_model
            if rel.many_to_many or child is model or child is root or child in found:
                continue
            lookup = f"{rel.field.name}__{path}" if path else rel.field.name
            found[child] = lookup
            queue.append((child, lookup))
    return tuple(Held(m, lookup) for m, lookup in found.items())


def rows_of(held: Held, ids) -> models.QuerySet:
    """The rows of `held.model` belonging to the root rows `ids`."""
    return held.model._default_manager.filter(**{f"{held.lookup}__in": ids}).order_by("pk")


def deletion_order(held: tuple[Held, ...]) -> list[Held]:
    """`held` ordered so a model comes before every model it points at (a PROTECT foreign
    key, e.g. a course's decision, must be gone before its target)."""
    models_in = {h.model: h for h in held}
    pending = dict(models_in)
    order: list[Held] = []
    while pending:
        targets = {
            f.related_model
            for m in pending
            for f in m._meta.concrete_fields
            if f.is_relation and f.related_model is not m
        }
        ready = [m for m in pending if m not in targets]
        if not ready:  # a cycle: let the database say which (never seen in our models)
            ready = list(pending)
        for m in ready:
            order.append(pending.pop(m))
    return order


def case_held() -> tuple[Held, ...]:
    return held_under(Case)
