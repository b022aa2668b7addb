#!/bin/sh
# Run before `npm test`: the browser tests use Debian's chromium (never a downloaded browser).
# Installs it when this can (root with apt-get); otherwise the browser tests say how to install it.
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium for the browser tests (apt-get install chromium)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null && exit 0
  echo "apt-get could not install chromium; the browser tests will fail until it is installed." >&2
else
  echo "Chromium is not at $CHROMIUM: run 'sudo apt-get install -y chromium' or set CHROMIUM_PATH, or the browser tests fail." >&2
fi
exit 0
