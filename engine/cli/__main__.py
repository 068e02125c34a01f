"""``python -m engine.cli``: the same command line as ``prevoyance``."""

from engine.cli.main import main

main()
