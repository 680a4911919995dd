#!/usr/bin/env bash
# The end-to-end tests drive the system Chromium (never a downloaded one). Install it from the
# distribution when missing and we may; otherwise say what to do.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Chromium for the end-to-end tests (apt-get install chromium)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium not found at $browser: install it (e.g. 'sudo apt-get install chromium') or set CHROMIUM_PATH" >&2
exit 1
