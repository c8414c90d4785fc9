#!/usr/bin/env bash
# Installs the test servers on Debian 12:
# - GStreamer's RTSP server with Python bindings for the live-camera tests (scripts/rtsp-test-server.py runs under
#   /usr/bin/python3). Stream copy only, so no gstreamer1.0-libav.
# - Debian's Chromium and ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver) for the browser tests, which drive
#   it with Microsoft.Playwright (ExecutablePath /usr/bin/chromium; Playwright's own browser download cannot work here).
#   The tests run as root, so Chromium needs --no-sandbox.
# - s3rver (npm) for the object-store tests, into the ignored folder .tools/s3rver; Debian's nodejs (18.x) runs it.
# - Debian's PostgreSQL 15 (scripts/install-postgres.sh) for the PostgreSQL store tests, which start throwaway clusters
#   with scripts/postgres.sh; the distro's own cluster is not created on a first install.
# - kubernetes-models, js-yaml and TypeScript (npm, pinned by scripts/kubernetes-validate/package-lock.json) into
#   .tools/kubernetes-validate, for the offline check of deploy/kubernetes (scripts/validate-kubernetes.js).
# Idempotent: apt-get runs only when a package is missing, npm only when s3rver is missing or another version (or the
# lock of the manifest check changed);
# sudo only when not root.
set -euo pipefail

packages=(
  python3-gi
  gir1.2-gst-rtsp-server-1.0
  gir1.2-gst-plugins-base-1.0
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  chromium
  chromium-driver
)

bash "$(dirname "$0")/apt-install.sh" "${packages[@]}"
bash "$(dirname "$0")/install-postgres.sh"

if ! /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0"); from gi.repository import Gst, GstRtspServer' 2>/dev/null; then
  echo "install-test-servers: /usr/bin/python3 still cannot import GstRtspServer" >&2
  exit 2
fi

# A throwaway profile, and no background networking: this machine's network is closed, so Chromium's own connections
# would only be refused.
chromium_profile="$(mktemp -d)"
if ! timeout 60 /usr/bin/chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$chromium_profile" --dump-dom about:blank 2>/dev/null | grep -q '<html'; then
  rm -rf "$chromium_profile"
  echo "install-test-servers: /usr/bin/chromium --headless=new --no-sandbox --dump-dom about:blank failed: check the chromium package" >&2
  exit 2
fi
rm -rf "$chromium_profile"

s3rver_version=3.7.1
root="$(cd "$(dirname "$0")/.." && pwd)"
s3rver_dir="$root/.tools/s3rver"
s3rver_js="$s3rver_dir/node_modules/s3rver/bin/s3rver.js"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  bash "$(dirname "$0")/apt-install.sh" nodejs npm
fi
installed="$(node -p 'require(process.argv[1]).version' "$s3rver_dir/node_modules/s3rver/package.json" 2>/dev/null || true)"
if [ "$installed" != "$s3rver_version" ]; then
  echo "install-test-servers: installing s3rver $s3rver_version into $s3rver_dir"
  mkdir -p "$s3rver_dir"
  npm install --prefix "$s3rver_dir" --no-audit --no-fund --save-exact --loglevel=error "s3rver@$s3rver_version" >/dev/null
fi
if ! node "$s3rver_js" --version >/dev/null 2>&1; then
  echo "install-test-servers: node $(node --version 2>/dev/null) cannot run $s3rver_js: delete $s3rver_dir and run this script again" >&2
  exit 2
fi

# The offline Kubernetes manifest check (scripts/validate-kubernetes.js): kubernetes-models, js-yaml and TypeScript at
# the versions of scripts/kubernetes-validate/package-lock.json, into .tools/kubernetes-validate (npm ci, once per lock).
validate_src="$root/scripts/kubernetes-validate"
validate_dir="$root/.tools/kubernetes-validate"
if ! cmp -s "$validate_src/package-lock.json" "$validate_dir/package-lock.json" || [ ! -d "$validate_dir/node_modules/kubernetes-models" ]; then
  echo "install-test-servers: installing the Kubernetes manifest check into $validate_dir"
  rm -rf "$validate_dir"
  mkdir -p "$validate_dir"
  cp "$validate_src/package.json" "$validate_src/package-lock.json" "$validate_dir/"
  npm ci --prefix "$validate_dir" --no-audit --no-fund --loglevel=error >/dev/null
fi
if ! node "$root/scripts/validate-kubernetes.js" "$root/deploy/kubernetes" >/dev/null; then
  echo "install-test-servers: node $(node --version 2>/dev/null) cannot run scripts/validate-kubernetes.js on deploy/kubernetes: run it to see why" >&2
  exit 2
fi
