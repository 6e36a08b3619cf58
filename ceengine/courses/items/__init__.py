"""Quiz item types: one module each, registered here by their quiz.yaml `type:` name.

A new type is a module with an `ItemType` subclass, added to `ITEM_TYPES` below, and a
migration that lets quiz_items.kind hold its name (the `kind_known` check).
"""

from __future__ import annotations

from ceengine.courses.items.base import ItemType
from ceengine.courses.items.multiple_choice import MultipleChoice
from ceengine.courses.items.true_false import TrueFalse

# In the order quiz.yaml mistakes list them; the first is the default `type:`.
ITEM_TYPES: dict[str, ItemType] = {kind.name: kind for kind in (TrueFalse(), MultipleChoice())}
DEFAULT_ITEM_TYPE = TrueFalse.name


def item_type(name: str) -> ItemType:
    """The registered item type called `name` (the `kind` stored with each item)."""
    return ITEM_TYPES[name]


__all__ = ["DEFAULT_ITEM_TYPE", "ITEM_TYPES", "ItemType", "item_type"]
