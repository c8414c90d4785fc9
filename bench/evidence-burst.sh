#!/usr/bin/env bash
# Evidence burst benchmark: does a burst of cases slow the other cameras' analysis? Two real `vision run`s on loopback with
# the same cameras and load: 20 "burst" file cameras playing the bottle clip (each confirms 3 litter cases at the same
# moment) and 5 "quiet" cameras playing the traffic clip with a rule that never fires. In the baseline run the burst
# cameras' rule watches a class that never appears, so they decode and analyse the same frames but raise nothing.
# Prints the quiet cameras' analysed frames in the same window of both runs, and their ratio.
# Usage: bash bench/evidence-burst.sh [--burst 20] [--quiet 5] [--seconds 45] [--fps 1]
set -euo pipefail
cd "$(dirname "$0")/.."
burst=20; quiet=5; seconds=45; fps=1
while [ $# -gt 0 ]; do
  case "$1" in
    --burst) burst=$2; shift 2;; --quiet) quiet=$2; shift 2;; --seconds) seconds=$2; shift 2;; --fps) fps=$2; shift 2;;
    *) echo "evidence-burst: unknown option $1 (use --burst N --quiet N --seconds S --fps F)" >&2; exit 2;;
  esac
done
shared="${VISION_SHARED:-$PWD/../shared}"
for f in "$shared/footage/bottle-detection.mp4" "$shared/footage/city-traffic.mp4" "$shared/models/yolox_nano.onnx"; do
  [ -f "$f" ] || { echo "evidence-burst: $f is missing: put ../shared beside the project or set VISION_SHARED" >&2; exit 2; }
done
dotnet build src/Pipeline -c Release -nologo -v q >/dev/null
export VISION_MODELS="$shared/models" VISION_OPS_TOKEN="burst-bench-$$"

run() { # $1 = burst | baseline; prints "quietFrames burstFrames cases"
  local mode=$1 dir port classes pid
  dir=$(mktemp -d); port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  classes=$([ "$mode" = burst ] && echo bottle || echo toothbrush)
  {
    echo "detector: { model: yolox_nano }"
    echo "evidence: { directory: $dir/evidence, pre_roll: 2s, post_roll: 4s }"
    echo "recording: { directory: $dir/recordings, keep: 60s }"
    echo "cameras:"
    for i in $(seq -w 1 "$burst"); do
      echo "  - { id: burst-$i, source: $shared/footage/bottle-detection.mp4, analysis: { fps: $fps, max_width: 640, decode: all },"
      echo "      zones: [ { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] } ],"
      echo "      rules: [ { id: litter, type: litter, zones: [table-top], classes: [$classes], dwell: 3s, cooldown: 10m } ] }"
    done
    for i in $(seq -w 1 "$quiet"); do
      echo "  - { id: quiet-$i, source: $shared/footage/city-traffic.mp4, analysis: { fps: $fps, max_width: 640, decode: all },"
      echo "      zones: [ { id: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] } ],"
      echo "      rules: [ { id: never, type: litter, zones: [all], classes: [toothbrush], dwell: 3s } ] }"
    done
  } > "$dir/vision.yaml"
  dotnet src/Pipeline/bin/Release/net10.0/vision.dll run --config "$dir/vision.yaml" --http "http://127.0.0.1:$port" > "$dir/log" 2>&1 &
  pid=$!
  python3 - "$port" "$seconds" "$VISION_OPS_TOKEN" "$dir/evidence/cases.jsonl" <<'PY'
import json, sys, time, urllib.request
port, seconds, token, cases = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
def get(path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r: return json.load(r)
deadline = time.time() + 90
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2); break
    except Exception:
        if time.time() > deadline: sys.exit("vision run did not get ready in 90 s")
        time.sleep(0.5)
def frames():
    cams = get("/api/cameras")
    return (sum(c["framesAnalysed"] for c in cams if c["id"].startswith("quiet")), sum(c["framesAnalysed"] for c in cams if c["id"].startswith("burst")))
q0, b0 = frames(); time.sleep(seconds); q1, b1 = frames()
n = sum(1 for _ in open(cases)) if __import__("os").path.exists(cases) else 0
print(q1 - q0, b1 - b0, n)
PY
  kill -TERM $pid; wait $pid || true; rm -rf "$dir"
}

read -r q_base b_base c_base < <(run baseline)
read -r q_burst b_burst c_burst < <(run burst)
python3 - "$burst" "$quiet" "$seconds" "$q_base" "$b_base" "$c_base" "$q_burst" "$b_burst" "$c_burst" <<'PY'
import sys
burst, quiet, seconds, qb, bb, cb, qx, bx, cx = sys.argv[1:]
qb, bb, cb, qx, bx, cx = map(int, (qb, bb, cb, qx, bx, cx))
print(f"evidence burst: {burst} burst + {quiet} quiet cameras, {seconds} s window")
print("| run | cases written | quiet cameras' frames analysed | burst cameras' frames analysed |")
print("| --- | --- | --- | --- |")
print(f"| baseline (no cases) | {cb} | {qb} | {bb} |")
print(f"| burst | {cx} | {qx} | {bx} |")
if qb: print(f"quiet cameras with the burst / without: {qx / qb:.3f} ({(qx / qb - 1) * 100:+.1f} %)")
if bb: print(f"burst cameras with the burst / without: {bx / bb:.3f} ({(bx / bb - 1) * 100:+.1f} %)")
PY
