#!/usr/bin/env bash
# Installs what Vision needs on Debian 12 beside the .NET 10 SDK: ffmpeg/ffprobe (decode, clips),
# libgtk-3-0 (OpenCvSharp's runtime links it), CJK fonts (Chinese labels on evidence photos), tzdata.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/apt-install.sh" ffmpeg libgtk-3-0 fonts-noto-cjk tzdata

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK is missing: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run this again" >&2
  exit 2
fi
