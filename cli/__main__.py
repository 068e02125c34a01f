"""``python -m cli``: the same command line as ``prevoyance``."""

from cli.main import main

main()
