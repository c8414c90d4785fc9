#!/usr/bin/env bash
# Replays each shared clip on its sample config and prints one sha256 line per output file
# (cases.jsonl, photos, clips, manifests): two builds whose fingerprints are equal made the same
# cases byte for byte. Usage: scripts/replay-fingerprint.sh OUT_DIR > fingerprint.txt
# Uses the build in src/Pipeline/bin/Release (build it first).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/replay-fingerprint.sh OUT_DIR}"
export VISION_MODELS="${VISION_MODELS:-$PWD/../shared/models}"
footage="${VISION_FOOTAGE:-$PWD/../shared/footage}"
vision="dotnet src/Pipeline/bin/Release/net10.0/vision.dll"
rm -rf "$out"
for clip in bottle-detection one-by-one-person-detection street-parking-hevc city-traffic; do
  $vision replay --quiet --config "samples/footage/$clip.yaml" --source "$footage/$clip.mp4" \
    --start 2026-11-23T09:00:00+08:00 --out "$out/$clip"
done
(cd "$out" && find . -type f | LC_ALL=C sort | xargs sha256sum)
