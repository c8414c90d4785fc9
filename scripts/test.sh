#!/usr/bin/env bash
# The test command: installs dependencies, builds with warnings as errors, runs every test project.
# Tests that need ../shared (real model and footage) skip with the reason when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The live-camera tests start a real RTSP server on loopback (Debian's GStreamer RTSP server).
bash scripts/install-test-servers.sh

dotnet build Vision.sln -c Release -warnaserror -nologo -v q

log=$(mktemp)
status=0
dotnet test Vision.sln -c Release --no-build --nologo -v q --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?

# One closing line for all projects: "tests: N passed, N failed, N skipped".
awk '
  /(Passed|Failed)!/ {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1))
      if ($i == "Failed:")  f += $(i+1)
      if ($i == "Passed:")  p += $(i+1)
      if ($i == "Skipped:") s += $(i+1)
    }
  }
  END {
    if (s > 0) printf "note: %d test(s) skipped: they need ../shared (models/yolox_nano.onnx, footage/*.mp4) beside the project, or VISION_SHARED set to it\n", s
    printf "tests: %d passed, %d failed, %d skipped\n", p, f, s
  }
' "$log"
rm -f "$log"
exit $status
