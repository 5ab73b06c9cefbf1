"""Word lists the checks read, loaded from app/data/*.tsv and passed in (never constants in the checks).

- periods.tsv: sub-year periods (上半年 = first half = H1) a figure is given for;
- fillers.tsv: words that state nothing on their own ("as follows", 以下);
- scope.tsv: example requests of each kind the chat does or does not serve;
- wants.tsv: how a question asks for an amount, a count, a percentage, a date, a capacity;
- claim_terms.tsv: relations and attributes (acquire, employees) with their Chinese forms;
- english_names.tsv: how an English answer writes the articles' Chinese names and units (博通 = Broadcom);
- parts.tsv: how a question asks several things at once (app.parts);
- instructions.tsv: what makes an article sentence an instruction to a machine reader (app.planted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.parts import PartRules
from app.planted import InstructionRules
from index.glossary import Glossary

DATA = Path(__file__).with_name("data")


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def _form(form: str) -> str:
    """A Latin form matches as whole words; a Chinese one anywhere."""
    escaped = re.escape(form)
    return rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z])" if form.isascii() else escaped


@dataclass(frozen=True)
class Lexicon:
    periods: tuple[tuple[str, re.Pattern], ...]
    fillers: frozenset[str]
    scope: tuple[tuple[str, str], ...]  # (kind, example request)
    wants: tuple[tuple[str, re.Pattern], ...]
    claim_terms: Glossary
    english: tuple[tuple[str, str], ...] = ()  # (Chinese form, English form)
    parts: PartRules = field(default_factory=PartRules.load)
    instructions: InstructionRules = field(default_factory=InstructionRules.load)

    @classmethod
    def load(cls, folder: Path = DATA) -> Lexicon:
        periods = tuple((code, re.compile("|".join(_form(f) for f in forms.split("|")), re.I))
                        for code, forms in _rows(folder / "periods.tsv"))
        fillers = frozenset(row[0].strip().lower() for row in _rows(folder / "fillers.tsv"))
        scope = tuple((kind.strip(), text.strip()) for kind, text in _rows(folder / "scope.tsv"))
        wants = tuple((kind, re.compile(pattern, re.I)) for kind, pattern in _rows(folder / "wants.tsv"))
        english = tuple((zh.strip(), en.strip()) for zh, en in _rows(folder / "english_names.tsv"))
        return cls(periods, fillers, scope, wants, Glossary.load(folder / "claim_terms.tsv"), english,
                   PartRules.load(folder / "parts.tsv"), InstructionRules.load(folder / "instructions.tsv"))

    def period_codes(self, text: str) -> set[str]:
        """The sub-year periods a piece of text names.

        >>> sorted(Lexicon.load().period_codes("预计于2026年下半年落地, Q1 and the first half"))
        ['h1', 'h2', 'q1']
        """
        return {code for code, pattern in self.periods if pattern.search(text)}

    def asked_kinds(self, question: str) -> frozenset[str]:
        """The kinds of fact a question asks for.

        >>> sorted(Lexicon.load().asked_kinds("How much will Nvidia invest, and when is the first tranche paid?"))
        ['amount', 'date']
        >>> sorted(Lexicon.load().asked_kinds("英伟达与OpenAI计划部署多少算力？"))
        ['capacity']
        """
        return frozenset(kind for kind, pattern in self.wants if pattern.search(question))
