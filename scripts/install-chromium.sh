#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through playwright-core (no browser download). Installs
# it from Debian's packages when it is missing; does nothing when /usr/bin/chromium is there.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing: install Debian's 'chromium' package (the browser tests need /usr/bin/chromium)" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
