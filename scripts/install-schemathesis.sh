#!/usr/bin/env bash
# Installs schemathesis (the independent API tester the test command runs against /openapi.json) from
# PyPI into its own project-local virtual environment (.tools/schemathesis). Pinned; does nothing
# when it is already there at that version.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=.tools/schemathesis

if [ -x "$VENV/bin/st" ] && [ "$("$VENV/bin/st" --version 2>/dev/null)" = "st, version $SCHEMATHESIS_VERSION" ]; then
  exit 0
fi

echo "installing schemathesis==$SCHEMATHESIS_VERSION into $VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
"$VENV/bin/st" --version
