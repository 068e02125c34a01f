"""A dossier path followed through the dossier's data: how far the data goes, and what stands there.

One walk for every reader of a path: the engine's answer reader (:mod:`engine.read`: which fields an unknown
condition waits on), and the counter interview (:mod:`usecases.entretien`: which fields could be asked, and
what a complete dossier answers). Each decides from where the walk stopped what a lack is: the reader holds
a field under a scalar as present (the scalar is the value its rules read), the interview as lacking unless
the scalar already stands for it (a child's residence given as its country).
"""

from __future__ import annotations

import re
from typing import Any

_INDICES = re.compile(r"\[\d+\]")


def chemin_generique(chemin: str) -> str:
    """A dossier path as a regime's catalogue names it, without the items' indices: ``enfants[1].age`` →
    ``enfants[].age`` (the keys of ``questions`` and ``modifications`` in ``explications/``)."""
    return _INDICES.sub("[]", chemin)


def follow(data: Any, parts: list[str | int] | tuple[str | int, ...]) -> tuple[int, Any]:
    """``(position, node)``: the position of the first part the data does not hold (``len(parts)`` when it
    holds them all) and the node reached before it. A key is held by a mapping that has it, an index by a
    list long enough; anything else stops the walk."""
    node = data
    for position, part in enumerate(parts):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return position, node
        elif not isinstance(node, dict) or part not in node:
            return position, node
        node = node[part]
    return len(parts), node
