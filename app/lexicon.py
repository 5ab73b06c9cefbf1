"""Language knowledge the answering path reads, loaded from app/data/*.tsv and passed in (never
constants in the code). Nothing here describes a corpus: what the app knows about its articles
is read from the articles (app.answering.names).

- scope.tsv: example requests of each kind the chat does or does not serve;
- parts.tsv: how a question asks several things at once (app.parts);
- instructions.tsv: what makes an article sentence an instruction to a machine reader (app.planted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.parts import PartRules
from app.planted import InstructionRules

DATA = Path(__file__).with_name("data")


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    scope: tuple[tuple[str, str], ...]  # (kind, example request)
    parts: PartRules = field(default_factory=PartRules.load)
    instructions: InstructionRules = field(default_factory=InstructionRules.load)

    @classmethod
    def load(cls, folder: Path = DATA) -> Lexicon:
        scope = tuple((kind.strip(), text.strip()) for kind, text in _rows(folder / "scope.tsv"))
        return cls(scope, PartRules.load(folder / "parts.tsv"), InstructionRules.load(folder / "instructions.tsv"))
