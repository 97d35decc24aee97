"""govai: safe, audited use of large AI models in government IT systems.

>>> import govai
>>> d = govai.Deployment("govai.toml")                      # doctest: +SKIP
>>> r = d.handle("intelligent_qa", "社保卡丢了怎么补办？")    # doctest: +SKIP
>>> r["outcome"], r["data_level"], r["audit_id"]           # doctest: +SKIP
('answered', 'public', 1)
>>> with d.stream("intelligent_qa", "社保卡丢了怎么补办？") as s:   # doctest: +SKIP
...     for chunk in s:                                     # reviewed text, as generated
...         print(chunk, end="", flush=True)
>>> s.response["outcome"]                                  # doctest: +SKIP
'answered'
>>> govai.scan("身份证号11010519491231002X")["level"]       # doctest: +SKIP
'sensitive'
>>> govai.scan_result("身份证号11010519491231002X").findings[0].type   # doctest: +SKIP
'cn_resident_id'
>>> govai.mask("手机13800138000")                           # doctest: +SKIP
'手机138****8000'

Results are plain dicts (the JSON forms of govai's responses, the same as the CLI's
``--json`` output); :meth:`Deployment.stream` returns a :class:`ResponseStream` that yields
the answer in reviewed chunks as the model generates it (``close()`` cancels generation), then
gives the response dict as ``.response``; :func:`scan_result` gives a scan as dataclasses
(:class:`ScanResult`, :class:`Finding`). ``govai.pandas`` (imported on first use; needs
pandas) scans and masks DataFrame columns. Errors raise subclasses of
:class:`govai.GovaiError`. The GIL is released while a request is handled, a text or batch
scanned or masked, an audit log verified, or a stream's next chunk awaited.
"""

from __future__ import annotations

import json as _json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from govai._native import (
    Deployment,
    ResponseStream,
    __version__,
    mask,
    mask_many,
    review_json,
    scan,
    scan_many,
    verify_audit,
)
from govai.exceptions import (
    AuditError,
    CancelledError,
    ClassificationError,
    ConfigError,
    GovaiError,
    GovaiIOError,
    InternalError,
    InvalidInputError,
    ModelError,
    NotFoundError,
    ReviewError,
)
from govai.results import LEVELS, LEVELS_ZH, Finding, ScanResult

if TYPE_CHECKING:
    from govai import pandas  # noqa: F401 - lazily imported below

__all__ = [
    "__version__",
    "Deployment",
    "ResponseStream",
    "scan",
    "scan_many",
    "scan_result",
    "mask",
    "mask_many",
    "review",
    "review_json",
    "verify_audit",
    "LEVELS",
    "LEVELS_ZH",
    "Finding",
    "ScanResult",
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


def scan_result(text: str) -> ScanResult:
    """:func:`scan` as a :class:`ScanResult` dataclass (``scan`` itself returns a dict)."""
    return ScanResult.from_dict(scan(text))


def review(
    scenario: str,
    answer: str,
    request: str = "",
    sources: Sequence[str | Mapping[str, Any]] | None = None,
    documents: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Review ``answer`` with the built-in reviewers that ``scenario`` requires (as
    ``govai review --json``): ``{"verdict": "pass" | "revise" | "block" | "escalate",
    "findings": [{"reviewer", "code", "message", "verdict", "span"?}, ...]}``.

    ``sources`` are the passages the answer may cite as [1], [2], ... (in order): a str (the
    text) or a mapping with ``text`` and optional ``title``, ``id``, ``url``. A verdict other
    than pass is a result, not an exception. Raises :class:`NotFoundError` for an unknown
    scenario. The GIL is released while reviewing.
    """
    items = [{"text": s} if isinstance(s, str) else dict(s) for s in (sources or [])]
    payload = {
        "scenario": scenario,
        "request": request,
        "answer": answer,
        "sources": items,
        "documents": list(documents or []),
    }
    result: dict[str, Any] = _json.loads(review_json(_json.dumps(payload, ensure_ascii=False)))
    return result


def __getattr__(name: str) -> Any:
    # `govai.pandas` without importing pandas at `import govai` time.
    if name == "pandas":
        import importlib

        return importlib.import_module("govai.pandas")
    raise AttributeError(f"module 'govai' has no attribute {name!r}")
