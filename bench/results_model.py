"""What every benchmark hands back: rows of figures (some with a target) and the raw details."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["BenchResult", "Row"]


@dataclass(frozen=True)
class Row:
    """One figure. ``op`` and ``target`` make it a checked target (``value op target``)."""

    bench: str
    metric: str
    value: float
    unit: str
    op: str = ""
    target: float | None = None
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.op == ">=" else self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"passed": self.passed}


@dataclass
class BenchResult:
    name: str
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, metric: str, value: float, unit: str, op: str = "", target: float | None = None) -> None:
        self.rows.append(Row(self.name, metric, round(value, 3), unit, op, target))

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rows": [r.as_dict() for r in self.rows], "details": self.details}
