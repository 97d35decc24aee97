"""govai: safe, audited use of large AI models in government IT systems.

>>> import govai
>>> d = govai.Deployment("govai.toml")                      # doctest: +SKIP
>>> r = d.handle("intelligent_qa", "社保卡丢了怎么补办？")    # doctest: +SKIP
>>> r["outcome"], r["data_level"], r["audit_id"]           # doctest: +SKIP
('answered', 'public', 1)
>>> govai.scan("身份证号11010519491231002X")["level"]       # doctest: +SKIP
'sensitive'

Results are plain dicts (the JSON forms of govai's responses, the same as the CLI's
``--json`` output). Errors raise subclasses of :class:`govai.GovaiError`. The GIL is released
while a request is handled, a text scanned or an audit log verified.
"""

from __future__ import annotations

from govai._native import Deployment, __version__, scan, verify_audit
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

__all__ = [
    "__version__",
    "Deployment",
    "scan",
    "verify_audit",
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
