"""The knowledge base: ASP rules (``.lp``) and dated parameters (``.yaml``), data only.

Each regime lives in its own folder with a ``regime.yaml`` (for instance
``mali/inps/``); ``commun/`` holds the machinery every regime shares
(three-valued conditions, dated parameters, calendar, decisions).
"""
