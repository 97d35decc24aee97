#!/usr/bin/env bash
# Prepare the PaddleOCR PP-OCRv4 models govai-ocr loads, from the PyPI wheel
# rapidocr-onnxruntime==1.4.4 (no model hub), into MODELS_DIR/ppocr-v4/:
#   ch_PP-OCRv4_det_infer.onnx           text detection (DB)
#   ch_ppocr_mobile_v2.0_cls_infer.onnx  0/180 degree direction classifier
#   ch_PP-OCRv4_rec_infer.onnx           recognition (CTC, 6625 classes)
#   ppocr_keys.txt                       its dictionary, extracted from the rec model's
#                                        metadata key `character` (6623 lines)
# Every file is sha256-verified. The wheel and its reference pipeline's dependencies are
# installed pinned (crates/govai-ocr/requirements.txt): scripts/bench-ocr.sh compares against it.
# Idempotent: does nothing when the prepared files already verify.
# Usage: crates/govai-ocr/scripts/prepare-ocr.sh [VENV] [MODELS_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-$root/.venv}"
out="${2:-$root/models}/ppocr-v4"
py="$venv/bin/python"
[ -x "$py" ] || { echo "no python venv at $venv (python3 -m venv .venv)" >&2; exit 1; }

sums="d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9  ch_PP-OCRv4_det_infer.onnx
e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c  ch_ppocr_mobile_v2.0_cls_infer.onnx
48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b  ch_PP-OCRv4_rec_infer.onnx
a1c84d9bdb9ab29043c58896224d32941783eb821629618416dcb08f12886492  ppocr_keys.txt"

if [ -d "$out" ] && (cd "$out" && sha256sum --quiet -c - <<<"$sums") 2>/dev/null; then
    echo "$out: up to date"
    exit 0
fi

"$py" -m pip install --quiet -r "$here/requirements.txt"
site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
src="$site/rapidocr_onnxruntime/models"
mkdir -p "$out"
for f in ch_PP-OCRv4_det_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx ch_PP-OCRv4_rec_infer.onnx; do
    cp "$src/$f" "$out/$f.tmp" && mv "$out/$f.tmp" "$out/$f"
done
"$py" - "$out" <<'PY'
import sys
import onnxruntime as ort
out = sys.argv[1]
s = ort.InferenceSession(f"{out}/ch_PP-OCRv4_rec_infer.onnx", providers=["CPUExecutionProvider"])
chars = s.get_modelmeta().custom_metadata_map["character"].splitlines()
with open(f"{out}/ppocr_keys.txt.tmp", "w", encoding="utf-8", newline="\n") as f:
    f.write("\n".join(chars) + "\n")
print(f"{len(chars)} characters")
PY
mv "$out/ppocr_keys.txt.tmp" "$out/ppocr_keys.txt"
(cd "$out" && sha256sum -c - <<<"$sums")
echo "prepared $out"
