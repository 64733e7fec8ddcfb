#!/usr/bin/env bash
# `npm test`'s set-up (npm runs it as `pretest`): the npm packages when missing, and what the tests
# need beyond them.
# Debian's Chromium (the Playwright suites; Playwright cannot download its own browser here) and
# Debian's python3-torch + python3-onnx (+ OpenBLAS for speed) for the trainer on /usr/bin/python3.
# Installs what is missing when it can (root, or sudo without a password); otherwise says in one
# line what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

# A fresh clone where only `npm test` was run: the npm packages first.
[ -d node_modules ] || ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-fund --no-audit

need=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
/usr/bin/python3 -c 'import torch, onnx' 2>/dev/null || need+=(python3-torch python3-onnx libopenblas0-pthread)
# A CJK font, so the Chinese pages render (and screenshot) as characters rather than boxes: nice to
# have, never a reason to fail.
optional=()
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || optional+=(fonts-wqy-microhei)
if [ ${#need[@]} -eq 0 ]; then
  if [ ${#optional[@]} -gt 0 ] && command -v apt-get >/dev/null &&
    { [ "$(id -u)" = "0" ] || sudo -n true 2>/dev/null; }; then
    SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo -n"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${optional[@]}" >/dev/null 2>&1 || true
  fi
  exit 0
fi
need+=("${optional[@]}")

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "npm test needs: sudo apt-get install ${need[*]} (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium and TOKENSKIP_PYTHON to a Python with torch and onnx." >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "npm test needs: ${need[*]} (no apt-get here: install them with your package manager, or set CHROMIUM_PATH / TOKENSKIP_PYTHON)." >&2
  exit 1
fi
echo "test set-up: installing ${need[*]} (Debian packages) ..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
