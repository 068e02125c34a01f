"""The ``prevoyance`` command line: a thin layer over the library; each command parses, calls one function, prints."""

from cli.main import main

__all__ = ["main"]
