#!/usr/bin/env bash
# Installs the live-camera test servers on Debian 12: GStreamer's RTSP server with Python bindings
# (scripts/rtsp-test-server.py runs under /usr/bin/python3). Stream copy only, so no gstreamer1.0-libav.
# Idempotent: apt-get runs only when a package is missing; sudo only when not root.
set -euo pipefail

packages=(
  python3-gi
  gir1.2-gst-rtsp-server-1.0
  gir1.2-gst-plugins-base-1.0
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
)

bash "$(dirname "$0")/apt-install.sh" "${packages[@]}"

if ! /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0"); from gi.repository import Gst, GstRtspServer' 2>/dev/null; then
  echo "install-test-servers: /usr/bin/python3 still cannot import GstRtspServer" >&2
  exit 2
fi
