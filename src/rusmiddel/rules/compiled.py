"""A validated standard with its expressions compiled once, ready for evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rusmiddel.standards.schema import Standard

from .expressions import Expression


@dataclass(frozen=True)
class CompiledStandard:
    standard: Standard
    version: str  # "<valid_from>+sha256:<12 hex>": the exact file a decision was made under
    path: str
    expressions: Mapping[str, Expression]  # by CEL source

    @property
    def municipality(self) -> str:
        return self.standard.municipality.id

    def expression(self, source: str) -> Expression:
        return self.expressions[source]
