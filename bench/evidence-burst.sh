#!/usr/bin/env bash
# Evidence burst benchmark: does a burst of cases slow the other cameras' analysis? Two real `vision run`s on loopback with
# the same cameras and load: 20 "burst" file cameras playing the bottle clip (each confirms 3 litter cases at the same
# moment) and 5 "quiet" cameras playing the traffic clip with a rule that never fires. In the baseline run the burst
# cameras' rule watches a class that never appears, so they decode and analyse the same frames but raise nothing.
# Prints the quiet cameras' analysed frames in the same window of both runs, their ratio, and the CPU seconds the service
# (with its finished children: clip cuts, probes; not the long-running decoders) used in the window.
# Runs --repeat pairs (baseline, burst, baseline, …) and adds them up, so a load change on the machine hits both sides.
# Usage: bash bench/evidence-burst.sh [--burst 20] [--quiet 5] [--seconds 45] [--fps 1] [--repeat 2]
set -euo pipefail
cd "$(dirname "$0")/.."
burst=20; quiet=5; seconds=45; fps=1; repeat=2
while [ $# -gt 0 ]; do
  case "$1" in
    --burst) burst=$2; shift 2;; --quiet) quiet=$2; shift 2;; --seconds) seconds=$2; shift 2;; --fps) fps=$2; shift 2;; --repeat) repeat=$2; shift 2;;
    *) echo "evidence-burst: unknown option $1 (use --burst N --quiet N --seconds S --fps F --repeat N)" >&2; exit 2;;
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
      echo "      rules: [ { id: litter-$i, type: litter, zones: [table-top], classes: [$classes], anchor: bottom_center, dwell: 3s, cooldown: 10m } ] }"
    done
    for i in $(seq -w 1 "$quiet"); do
      echo "  - { id: quiet-$i, source: $shared/footage/city-traffic.mp4, analysis: { fps: $fps, max_width: 640, decode: all },"
      echo "      zones: [ { id: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] } ],"
      echo "      rules: [ { id: never-$i, type: litter, zones: [all], classes: [toothbrush], dwell: 3s } ] }"
    done
  } > "$dir/vision.yaml"
  dotnet src/Pipeline/bin/Release/net10.0/vision.dll run --config "$dir/vision.yaml" --http "http://127.0.0.1:$port" > "$dir/log" 2>&1 &
  pid=$!
  python3 - "$port" "$seconds" "$VISION_OPS_TOKEN" "$dir/evidence/cases.jsonl" "$pid" "$dir/log" <<'PY'
import json, sys, time, urllib.request
import os
port, seconds, token, cases, pid, log = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
def get(path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r: return json.load(r)
deadline = time.time() + 90
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2); break
    except Exception:
        if not os.path.exists(f"/proc/{pid}"): sys.exit("vision run ended: " + open(log).read()[-2000:])
        if time.time() > deadline: sys.exit("vision run did not get ready in 90 s: " + open(log).read()[-2000:])
        time.sleep(0.5)
def frames():
    cams = get("/api/cameras")
    return (sum(c["framesAnalysed"] for c in cams if c["id"].startswith("quiet")), sum(c["framesAnalysed"] for c in cams if c["id"].startswith("burst")))
def cpu():  # the service's own CPU plus its finished children (clip cuts, probes), in seconds
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")
q0, b0, t0 = *frames(), cpu(); time.sleep(seconds); q1, b1, t1 = *frames(), cpu()
n = sum(1 for _ in open(cases)) if __import__("os").path.exists(cases) else 0
print(q1 - q0, b1 - b0, n, round(t1 - t0))
PY
  kill -TERM $pid 2>/dev/null; wait $pid || true; [ -n "${KEEP:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"
}

q_base=0; b_base=0; c_base=0; t_base=0; q_burst=0; b_burst=0; c_burst=0; t_burst=0
for _ in $(seq "$repeat"); do
  read -r q b c t < <(run baseline); q_base=$((q_base + q)); b_base=$((b_base + b)); c_base=$((c_base + c)); t_base=$((t_base + t))
  read -r q b c t < <(run burst); q_burst=$((q_burst + q)); b_burst=$((b_burst + b)); c_burst=$((c_burst + c)); t_burst=$((t_burst + t))
done
python3 - "$burst" "$quiet" "$seconds" "$q_base" "$b_base" "$c_base" "$q_burst" "$b_burst" "$c_burst" "$repeat" "$t_base" "$t_burst" <<'PY'
import sys
burst, quiet, seconds, qb, bb, cb, qx, bx, cx = sys.argv[1:10]
qb, bb, cb, qx, bx, cx = map(int, (qb, bb, cb, qx, bx, cx))
print(f"evidence burst: {burst} burst + {quiet} quiet cameras, {seconds} s window, {sys.argv[10]} pair(s) of runs added up")
tb, tx = sys.argv[11], sys.argv[12]
print("| run | cases written | quiet cameras' frames analysed | burst cameras' frames analysed | service CPU s |")
print("| --- | --- | --- | --- | --- |")
print(f"| baseline (no cases) | {cb} | {qb} | {bb} | {tb} |")
print(f"| burst | {cx} | {qx} | {bx} | {tx} |")
if qb: print(f"quiet cameras with the burst / without: {qx / qb:.3f} ({(qx / qb - 1) * 100:+.1f} %)")
if bb: print(f"burst cameras with the burst / without: {bx / bb:.3f} ({(bx / bb - 1) * 100:+.1f} %)")
PY
