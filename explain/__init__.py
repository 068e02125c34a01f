"""prevoyance explanations: decisions of the engine rendered as French text and JSON.

Pure rendering: typed results in (a Decision, a what-if answer, an Impact, journal entries, a Report), text or
bytes out. Deciding, searching, reading a database and writing files belong to :mod:`usecases`.

- :mod:`explain.format` writes amounts, dates and values the French way;
- :mod:`explain.phrases` renders the regime's phrase catalogue (YAML + Jinja2);
- :mod:`explain.render` builds the contract's JSON and the texts of
  ``evaluate`` and ``check``, with the templates of ``explain/templates``;
- :mod:`explain.why` explains one decision (text, JSON, Markdown, HTML);
- :mod:`explain.rapport_impact` reports an amendment's impact (``diff``), in the
  words of the regime it was computed under;
- :mod:`explain.rapport_journal` words the journal of decisions (``journal``);
- :mod:`explain.questions` words the counter interview's next question;
- :mod:`explain.lettres` writes the letters to citizens (Markdown, HTML, PDF),
  one module per step (see its docstring).
"""

from explain.render import decision_json, evaluate_text
from explain.why import why

__all__ = ["decision_json", "evaluate_text", "why"]
