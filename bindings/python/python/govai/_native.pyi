"""Type stubs of the native module ``govai._native`` (written by hand, checked by
``mypy.stubtest`` in scripts/test-python.sh)."""

import datetime
import os
import pathlib
from types import TracebackType
from typing import Any, final

__all__ = ["__version__", "Deployment", "ResponseStream", "scan", "scan_many", "mask", "mask_many", "review_json", "verify_audit"]

__version__: str

@final
class Deployment:
    """A govai deployment built from a TOML configuration. Thread-safe."""

    def __new__(cls, config_path: str | os.PathLike[str]) -> Deployment: ...
    @staticmethod
    def from_toml(text: str, base_dir: str | os.PathLike[str] | None = None) -> Deployment: ...
    def handle(
        self,
        scenario: str,
        text: str,
        documents: list[str] | None = None,
        user: str | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]: ...
    def chat(
        self,
        scenario: str,
        messages: list[dict[str, str]],
        *,
        documents: list[str] | None = None,
        user: str | None = None,
        user_role: str | None = None,
        request_id: str | None = None,
        conversation_id: str | None = None,
    ) -> dict[str, Any]: ...
    def stream(
        self,
        scenario: str,
        text: str | None = None,
        *,
        messages: list[dict[str, str]] | None = None,
        documents: list[str] | None = None,
        user: str | None = None,
        user_role: str | None = None,
        request_id: str | None = None,
        conversation_id: str | None = None,
    ) -> ResponseStream: ...
    def handle_json(self, request_json: str) -> str: ...
    def feedback(self, audit_id: int, rating: int, comment: str | None = None, *, user: str | None = None) -> int: ...
    def check_documents(
        self,
        scenario: str,
        pages: list[dict[str, Any]],
        *,
        checklist: str | None = None,
        as_of: str | datetime.date | None = None,
        user: str | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]: ...
    @property
    def name(self) -> str: ...
    @property
    def scenarios(self) -> list[str]: ...
    @property
    def audit_path(self) -> pathlib.Path: ...

@final
class ResponseStream:
    """A streamed request: iterate for the reviewed text chunks, then read ``response``."""

    def __iter__(self) -> ResponseStream: ...
    def __next__(self) -> str: ...
    def close(self) -> None: ...
    def __enter__(self) -> ResponseStream: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> bool: ...
    @property
    def response(self) -> dict[str, Any]: ...
    @property
    def finished(self) -> bool: ...

def scan(text: str) -> dict[str, Any]: ...
def scan_many(texts: list[str]) -> list[dict[str, Any]]: ...
def mask(text: str, operator: str = "mask") -> str: ...
def mask_many(texts: list[str], operator: str = "mask") -> list[str]: ...
def review_json(request_json: str) -> str: ...
def verify_audit(path: str | os.PathLike[str], anchor: str | os.PathLike[str] | None = None) -> dict[str, Any]: ...
