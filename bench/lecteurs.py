"""The atom readers of engine/atomes.py: plain Python closures against readers generated with ``exec``.

    PYTHONPATH=. python bench/lecteurs.py [--dossiers 2000] [--tours 21]

Until issue 24, each record's reader was Python source written out for it and run through ``exec``
(``x0, x1, x2, = a; return new(record, (x0.number, x1.name, _STATUTS[x2.name],))``). This script rebuilds
those readers here, beside the plain closures engine/atomes.py now has (one per arity, each argument's
function called) and a loop over the functions (``map``), and reads the same answer sets with all three,
alternating them in one process (each first in turn): the symbols of a generated batch (explanation and
summary modes, solved once, in batches of 250), read as engine/read.py reads them (name, reader,
arguments). It prints, turn by turn, each plain reader's time over the ``exec`` readers' (median and
quartiles: the load of a shared machine moves between turns more than between neighbours in a turn).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from operator import call

from engine import atomes
from engine.facts import to_python
from engine.program import Mode
from engine.regime import load_regime
from engine.solver import solve_symbols
from engine.validation import validate
from usecases.generation import generate

_EXPRESSIONS = {id(atomes.NUMBER): "{}.number", id(atomes.NAME): "{}.name", id(atomes.TEXT): "{}.string",
                id(atomes.NODE): "str({})", id(atomes.TERM): "{}", id(atomes.ARGUMENTS): "{}.arguments",
                id(atomes.VALUE): "to_python({})", id(atomes.DATE): "to_python({})",
                id(atomes.ETAT): "_ETATS[{}.name]", id(atomes.STATUT): "_STATUTS[{}.name]"}


def exec_reader(record: type):
    """The reader written out for ``record`` and run through ``exec``, as engine/atomes.py had it."""
    arguments = [f"x{i}" for i in range(len(record.kinds))]
    values = [_EXPRESSIONS[id(kind)].format(x) for kind, x in zip(record.kinds, arguments, strict=True)]
    namespace = {"new": tuple.__new__, "record": record, "to_python": to_python, "_ETATS": atomes._ETATS,
                 "_STATUTS": atomes._STATUTS}
    exec(f"def read(a):\n    {', '.join(arguments)}, = a\n    return new(record, ({', '.join(values)},))",
         namespace)
    return namespace["read"]


def map_reader(record: type):
    """A loop over the kinds' functions (``map``): the first plain version tried, 6 % slower."""
    converters = tuple(kind.convert for kind in record.kinds)
    new = tuple.__new__
    return lambda a: new(record, tuple(map(call, converters, a)))


def read_all(symbols, readers) -> int:
    count = 0
    for symbol in symbols:
        name = symbol.name
        reader = readers.get(name)
        if reader is not None:
            reader(symbol.arguments)
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--tours", type=int, default=21)
    options = parser.parse_args()
    records = {name: value for name, value in vars(atomes).items()
               if isinstance(value, type) and issubclass(value, tuple) and hasattr(value, "read")}
    by_reader = {id(record.read): record for record in records.values()}
    plain = {name: reader for name, reader in atomes.READERS.items()}
    generated = {name: exec_reader(by_reader[id(reader)]) for name, reader in atomes.READERS.items()}
    looped = {name: map_reader(by_reader[id(reader)]) for name, reader in atomes.READERS.items()}
    regime = load_regime("mali-inps")
    dossiers = [validate(data, f"g{i}") for i, data in enumerate(generate(options.dossiers, seed=24))]
    symbols, solving = [], 0.0
    for mode in (Mode.EXPLANATION, Mode.SUMMARY):
        for start in range(0, len(dossiers), 250):
            began = time.perf_counter()
            symbols += solve_symbols(regime, dossiers[start:start + 250], mode)
            solving += time.perf_counter() - began
    for symbol in symbols:  # both give the same records
        reader = plain.get(symbol.name)
        if reader is not None:
            assert reader(symbol.arguments) == generated[symbol.name](symbol.arguments), symbol
            assert reader(symbol.arguments) == looped[symbol.name](symbol.arguments), symbol
    variants = {"exec": generated, "plain": plain, "map": looped}
    times: dict[str, list[float]] = {label: [] for label in variants}
    for turn in range(options.tours):
        labels = list(variants)[turn % 3:] + list(variants)[:turn % 3]  # each variant first in turn
        for label in labels:
            readers = variants[label]
            began = time.perf_counter()
            count = read_all(symbols, readers)
            times[label].append(time.perf_counter() - began)
    for label in ("plain", "map"):
        ratios = sorted(p / e for p, e in zip(times[label], times["exec"], strict=True))
        quart = len(ratios) // 4
        print(f"{label} / exec, tour par tour : médiane {statistics.median(ratios):.3f} "
              f"(quartiles {ratios[quart]:.3f} à {ratios[-1 - quart]:.3f})")
    exec_ms, plain_ms = (statistics.median(times[k]) * 1e3 for k in ("exec", "plain"))
    spread = {k: (min(v) * 1e3, max(v) * 1e3) for k, v in times.items()}
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, charge {os.getloadavg()[0]:.1f}; "
          f"{options.dossiers} dossiers générés, {count} atomes lus par tour, {options.tours} tours alternés")
    print(f"exec   : médiane {exec_ms:.1f} ms (de {spread['exec'][0]:.1f} à {spread['exec'][1]:.1f})")
    print(f"simple : médiane {plain_ms:.1f} ms (de {spread['plain'][0]:.1f} à {spread['plain'][1]:.1f})")
    print(f"simple / exec des médianes = {plain_ms / exec_ms:.3f} ; écart {plain_ms - exec_ms:+.1f} ms, "
          f"soit {(plain_ms - exec_ms) / (solving * 1e3) * 100:+.2f} % du temps de décider le lot ({solving:.1f} s)")


if __name__ == "__main__":
    main()
