#!/usr/bin/env bash
# The demo: replays the shared street footage through the whole pipeline on the embedded defaults
# (CPU detector, local evidence folder) and writes cases, photos and clips under out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

export VISION_MODELS="${VISION_MODELS:-$PWD/../shared/models}"
footage="${VISION_FOOTAGE:-$PWD/../shared/footage}"
if [ ! -f "$VISION_MODELS/yolox_nano.onnx" ]; then
  echo "demo: no yolox_nano.onnx in $VISION_MODELS: set VISION_MODELS to the folder holding it (see README, 'Getting a model')" >&2
  exit 2
fi

dotnet build src/Pipeline -c Release -nologo -v q
vision="dotnet src/Pipeline/bin/Release/net10.0/vision.dll"
for clip in bottle-detection one-by-one-person-detection street-parking-hevc city-traffic; do
  [ -f "$footage/$clip.mp4" ] || { echo "demo: $footage/$clip.mp4 missing, skipped"; continue; }
  $vision replay --config "samples/footage/$clip.yaml" --source "$footage/$clip.mp4" \
    --start 2026-11-23T09:00:00+08:00 --out "out/demo/$clip"
done
echo "demo: cases in out/demo/*/cases.jsonl (photos and clips beside them)"
