"""The rule blocks of ``kb/``: each ``% @regle <id>`` comment opens a block, the sentence of law it encodes.

The program builder keys rule firings by block (:mod:`engine.firings`); the
amendment tool and the journal read blocks to show the sentence behind a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_TAG = re.compile(r"^\s*%\s*@regle\s+([a-z][a-z0-9_]*)\s*$")


@dataclass
class RuleBlock:
    """A block of rules encoding one sentence of law."""

    id: str
    file: Path
    line: int
    comment: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        """The quoted sentence of law (« … ») the block encodes, as one line."""
        text = " ".join(self.comment)
        quotes = re.findall(r"«(.*?)»", text, flags=re.S)
        return " … ".join(" ".join(q.split()) for q in quotes)

    @property
    def note(self) -> str:
        """The block's comment outside the quoted sentence: the reading chosen."""
        text = " ".join(self.comment)
        return " ".join(re.sub(r"«.*?»", "", text, flags=re.S).split())

    def to_dict(self, root: Path) -> dict[str, Any]:
        """The block as JSON data, its file relative to ``root`` (the same base may live in another checkout)."""
        return {"id": self.id, "file": str(self.file.relative_to(root)), "line": self.line,
                "comment": self.comment, "lines": self.lines}

    @classmethod
    def from_dict(cls, root: Path, data: dict[str, Any]) -> RuleBlock:
        """The block :meth:`to_dict` gave, its file under ``root``."""
        return cls(data["id"], root / data["file"], data["line"], data["comment"], data["lines"])


def read_blocks(path: Path, text: str | None = None) -> list[RuleBlock]:
    """Split a ``.lp`` file (or its given text) into its ``@regle`` blocks (the preamble has no block)."""
    blocks: list[RuleBlock] = []
    current: RuleBlock | None = None
    in_comment = False
    text = path.read_text(encoding="utf-8") if text is None else text
    for number, line in enumerate(text.splitlines(), start=1):
        tag = _TAG.match(line)
        if tag:
            current = RuleBlock(tag.group(1), path, number)
            blocks.append(current)
            in_comment = True
            continue
        if current is None:
            continue
        stripped = line.strip()
        if stripped.startswith("%"):
            if in_comment:
                current.comment.append(stripped.lstrip("%").strip())
        else:
            in_comment = False
            if stripped:
                current.lines.append(line)
    return blocks


def block_locator(path: Path, blocks: list[RuleBlock], root: Path):
    """A function giving the id of the block a line of ``path`` lies in (an error outside every block)."""
    def block_of_line(line: int) -> str:
        owner = [b.id for b in blocks if b.line <= line]
        if not owner:
            raise ValueError(f"{path.relative_to(root)}:{line}: règle hors de tout bloc @regle")
        return owner[-1]
    return block_of_line
