"""Typed results: dataclasses for what :func:`govai.scan` returns as a dict.

``govai.scan(text)`` keeps returning a plain dict (the JSON form, the same as the CLI's
``--json`` output and the C API); ``govai.scan_result(text)`` returns a :class:`ScanResult`
built from it. ``ScanResult.from_dict`` / ``to_dict`` convert between the two.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["LEVELS", "LEVELS_ZH", "Finding", "ScanResult"]

#: The six data levels, lowest first (数据分级: 公开, 内部, 敏感, 重要, 核心, 涉密).
LEVELS: tuple[str, ...] = ("public", "internal", "sensitive", "important", "core", "secret")

#: The Chinese name of each level.
LEVELS_ZH: dict[str, str] = dict(zip(LEVELS, ("公开", "内部", "敏感", "重要", "核心", "涉密")))

@dataclass(frozen=True)
class Finding:
    """One piece of sensitive content found in a text.

    ``start``/``end`` are character offsets (``text[start:end]`` in Python), end exclusive.
    ``checksum`` is True (valid), False (failed) or None (the type has no checksum).
    """

    type: str
    start: int
    end: int
    text: str
    score: float
    checksum: bool | None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            type=d["type"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            score=d["score"],
            checksum=d["checksum"],
        )


@dataclass(frozen=True)
class ScanResult:
    """A classification: the data level, the findings (by position) and the reasons."""

    level: str
    """One of :data:`LEVELS`."""
    findings: tuple[Finding, ...]
    reasons: tuple[str, ...]

    @property
    def rank(self) -> int:
        """The level's position in :data:`LEVELS`: 0 (public) to 5 (secret)."""
        return LEVELS.index(self.level)

    @property
    def level_zh(self) -> str:
        """The level's Chinese name, e.g. ``敏感``."""
        return LEVELS_ZH[self.level]

    @property
    def types(self) -> list[str]:
        """The distinct entity types found, sorted."""
        return sorted({f.type for f in self.findings})

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScanResult:
        return cls(
            level=d["level"],
            findings=tuple(Finding.from_dict(f) for f in d["findings"]),
            reasons=tuple(d["reasons"]),
        )

    def to_dict(self) -> dict[str, Any]:
        """The dict form, as :func:`govai.scan` returns it."""
        return {
            "level": self.level,
            "findings": [asdict(f) for f in self.findings],
            "reasons": list(self.reasons),
        }
