"""Type stubs of the native module ``govai._native`` (written by hand, checked by
``mypy.stubtest`` in scripts/test-python.sh)."""

import os
import pathlib
from typing import Any, final

__all__ = ["__version__", "Deployment", "scan", "verify_audit"]

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
    def handle_json(self, request_json: str) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def scenarios(self) -> list[str]: ...
    @property
    def audit_path(self) -> pathlib.Path: ...

def scan(text: str) -> dict[str, Any]: ...
def verify_audit(path: str | os.PathLike[str], anchor: str | os.PathLike[str] | None = None) -> dict[str, Any]: ...
