"""prevoyance explanations: decisions of the engine rendered as French text and JSON.

- :mod:`explain.format` writes amounts, dates and values the French way;
- :mod:`explain.phrases` renders the regime's phrase catalogue (YAML + Jinja2);
- :mod:`explain.render` builds the contract's JSON and the texts of
  ``evaluate`` and ``check``;
- :mod:`explain.why` explains one decision (text, JSON, Markdown, HTML).
"""

from explain.render import decision_json, evaluate_text
from explain.why import why

__all__ = ["decision_json", "evaluate_text", "why"]
