#!/usr/bin/env bash
# Installs what Vision needs on Debian 12 beside the .NET 10 SDK: ffmpeg/ffprobe (decode, clips),
# libgtk-3-0 (OpenCvSharp's runtime links it), CJK fonts (Chinese labels on evidence photos), tzdata.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
dpkg -s libgtk-3-0 >/dev/null 2>&1 || need+=(libgtk-3-0)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
dpkg -s tzdata >/dev/null 2>&1 || need+=(tzdata)

if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK is missing: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run this again" >&2
  exit 2
fi
