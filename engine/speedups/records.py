"""The records of shown symbols, kept from one answer set to the next (:func:`records`).

Reading a shown symbol into its record (:mod:`engine.atomes`) calls into clingo for its name and for each
argument and its conversion: about 17 µs a symbol. A record is a pure function of its symbol, and answer sets
repeat their symbols: every dossier decided alone is dossier 0, the base's own atoms (``source``,
``justifie``, ``entite_liste``) are in each, and the steps of a counter interview differ by a fact or two.
A symbol already read is looked up by its value (one hash, one comparison in clingo) instead: over the 20
answer sets of tests/cas/issue22/enfants_en_attente.yaml (238 symbols each, 336 distinct in all), 4.0 ms an
answer set read, 0.34 ms looked up; a symbol never seen costs 9 % more than reading it alone
(2026-12-07 21:15 UTC, one process, the 2-core machine shared).

The records are immutable (named tuples of numbers, texts, dates, enums and clingo symbols), but for a tuple
term's items (``ARGUMENTS``), a list that readers only walk: never change a record. At most
:data:`LIMIT` symbols are kept; past it the memory is emptied and filled again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import clingo

from engine.atomes import READERS

LIMIT = 20_000  # a few hundred bytes each: a few MB at most
_RECORDS: dict[clingo.Symbol, tuple[str, Any]] = {}


def records(symbols: Iterable[clingo.Symbol]) -> Iterator[tuple[str, Any]]:
    """Each symbol's predicate name and record (None for a predicate no reader reads), in their order."""
    known = _RECORDS
    if len(known) > LIMIT:
        known.clear()
    for symbol in symbols:
        found = known.get(symbol)
        if found is None:
            name = symbol.name
            reader = READERS.get(name)
            found = known[symbol] = (name, None if reader is None else reader(symbol.arguments))
        yield found
