#!/usr/bin/env bash
# govai-ocr vs the rapidocr-onnxruntime Python pipeline on crates/govai-ocr/testdata, alternating
# page by page in one run (median ms of ROUNDS per page). Needs `make ocr-models`.
# Usage: scripts/bench-ocr.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p govai-ocr --example ocr_pages
.venv/bin/python crates/govai-ocr/scripts/bench_ocr.py target/release/examples/ocr_pages models/ppocr-v4 \
    crates/govai-ocr/testdata "${1:-3}"
