#!/usr/bin/env bash
# Set up matchmaker in ./.venv (idempotent), every package at the version requirements-lock.txt pins.
#   ./setup.sh       the package with the app and the HTTP API: `matchmaker demo`, `streamlit run app.py`, `matchmaker serve`
#   ./setup.sh dev   everything the tests use besides: test tools, the browser driver, notebooks, docs, the Ray
#                    engine and every embedding backend (torch among them); and, where missing, Debian's chromium
#                    and CJK fonts for the browser tests (apt-get, through sudo when not root)
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  "") EXTRAS="app,api" ;;
  dev) EXTRAS="dev" ;;
  *) echo "usage: ./setup.sh [dev]" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -c requirements-lock.txt -e ".[$EXTRAS]"

if [ "$EXTRAS" = "dev" ]; then
  # The browser tests drive Debian's chromium (never a browser Playwright downloads); Chinese text needs CJK fonts.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    if command -v apt-get >/dev/null 2>&1; then
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
      echo "setup.sh: installing chromium, chromium-driver and fonts-noto-cjk with apt-get (for the browser tests)"
      export DEBIAN_FRONTEND=noninteractive
      $SUDO apt-get update -q >/dev/null
      $SUDO apt-get install -y -q chromium chromium-driver fonts-noto-cjk >/dev/null
    else
      echo "setup.sh: no apt-get here; install Chromium and a CJK font yourself, or the browser tests are skipped" >&2
    fi
  fi
fi
