"""The exceptions govai raises.

Every error is a :class:`GovaiError`; the subclass (and its ``kind``, the stable snake_case
name of govai's ``ErrorKind``) says what went wrong. Where a standard exception fits, the
subclass also derives from it, so ``except ValueError`` / ``except OSError`` /
``except LookupError`` keep working.
"""

from __future__ import annotations

__all__ = [
    "GovaiError",
    "InvalidInputError",
    "ConfigError",
    "NotFoundError",
    "ModelError",
    "ClassificationError",
    "ReviewError",
    "AuditError",
    "GovaiIOError",
    "CancelledError",
    "InternalError",
]


class GovaiError(Exception):
    """Base class of all govai errors. ``kind`` is the stable ``ErrorKind`` name."""

    kind: str = "internal"

    def __init__(self, message: str = "", *, kind: str | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind

    @property
    def message(self) -> str:
        """The error message (the same as ``str(error)``)."""
        return str(self.args[0]) if self.args else ""


class InvalidInputError(GovaiError, ValueError):
    """The caller passed something malformed: bad JSON, empty text, a value out of range."""

    kind = "invalid_input"


class ConfigError(GovaiError):
    """A configuration file or value is wrong; the message names the file, key and reason."""

    kind = "config"


class NotFoundError(GovaiError, LookupError):
    """A named scenario, model or reviewer does not exist."""

    kind = "not_found"


class ModelError(GovaiError):
    """A model failed to load or to run."""

    kind = "model"


class ClassificationError(GovaiError):
    """A data classifier failed."""

    kind = "classification"


class ReviewError(GovaiError):
    """A reviewer failed (a reviewer *rejecting* an answer is a verdict, not an error)."""

    kind = "review"


class AuditError(GovaiError):
    """The audit log could not be written or read, or is corrupt."""

    kind = "audit"


class GovaiIOError(GovaiError, OSError):
    """An operating-system I/O error (file not found, permission denied...)."""

    kind = "io"


class CancelledError(GovaiError):
    """The request was cancelled by the caller."""

    kind = "cancelled"


class InternalError(GovaiError):
    """A bug in govai."""

    kind = "internal"


_BY_KIND: dict[str, type[GovaiError]] = {
    cls.kind: cls
    for cls in (
        InvalidInputError,
        ConfigError,
        NotFoundError,
        ModelError,
        ClassificationError,
        ReviewError,
        AuditError,
        GovaiIOError,
        CancelledError,
        InternalError,
    )
}


def _from_kind(kind: str, message: str) -> GovaiError:
    """The exception for an ``ErrorKind`` name (called by the native module)."""
    cls = _BY_KIND.get(kind)
    if cls is None:  # a kind newer than this Python package
        return GovaiError(message, kind=kind)
    return cls(message)
