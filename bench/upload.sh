#!/usr/bin/env bash
# Evidence upload benchmark: starts s3rver on loopback (installed by scripts/install-test-servers.sh), spools copies of
# the demo's real cases (out/demo, from scripts/demo.sh) and uploads them with the product's uploader.
# Usage: bash bench/upload.sh [--copies 10] [--concurrency 1,4]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-servers.sh >/dev/null
compgen -G "out/demo/*/*/manifest.json" >/dev/null || bash scripts/demo.sh
footage="${VISION_FOOTAGE:-$PWD/../shared/footage}"
seconds=0
for clip in bottle-detection one-by-one-person-detection street-parking-hevc city-traffic; do
  if [ -f "out/demo/$clip/cases.jsonl" ] && [ -f "$footage/$clip.mp4" ]; then
    seconds=$(python3 -c "print($seconds + $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$footage/$clip.mp4"))")
  fi
done
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
node .tools/s3rver/node_modules/s3rver/bin/s3rver.js --directory "$dir" --address 127.0.0.1 --port "$port" --silent &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
dotnet run -c Release --project bench/Vision.UploadBench -- --from out/demo --endpoint "127.0.0.1:$port" --footage-seconds "$seconds" "$@"
