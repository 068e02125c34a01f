"""The core's speed-ups, each behind the program builder or the solver, none changing an answer set.

- :mod:`engine.speedups.slices`: a batch is grounded with the files of the prestations it claims only;
- :mod:`engine.speedups.summary_cut`: the summary grounds only the rules its ``#show`` depends on;
- :mod:`engine.speedups.cache`: the built program, kept in memory and on disk (its one cache, two tiers);
- :mod:`engine.speedups.warm`: the warm solver of long-lived processes, injected where it is wanted.
- :mod:`engine.speedups.records`: the records of shown symbols already read, looked up instead of read.

Each module's docstring gives the measurement that justifies it.
"""
