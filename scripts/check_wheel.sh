#!/usr/bin/env bash
# Build the sdist and the wheel, check them, and prove the wheel works in a clean environment.
#
#   bash scripts/check_wheel.sh            # build into a temporary directory, then remove it
#   bash scripts/check_wheel.sh dist       # keep the checked sdist and wheel in ./dist
#
# Steps: a throwaway tools environment with `build` and `twine`; `python -m build` (sdist and
# wheel); `twine check --strict`; the wheel must contain py.typed and LICENSE and no tests;
# a clean virtual environment installs the wheel (dependencies come from the package index,
# nothing else is downloaded); `import invonetwork`, `import invonetwork.webhooks` (which
# must not import requests) and the `invonetwork` command run from outside the checkout.
# Everything temporary is removed on exit, also on failure.
#
# PYTHON selects the interpreter (default python3). CHECK_WHEEL_NO_ISOLATION=1 builds with
# the tools environment's own hatchling instead of an isolated build environment.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
KEEP_DIR="${1:-}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/invonetwork-wheel.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

echo "== tools: build, twine =="
"$PYTHON" -m venv "$WORK/tools"
if [ -d "$WORK/tools/Scripts" ]; then BIN="Scripts"; else BIN="bin"; fi  # Windows or POSIX
TOOLS="$WORK/tools/$BIN/python"
"$TOOLS" -m pip install -q --disable-pip-version-check build twine
BUILD_ARGS=()
if [ "${CHECK_WHEEL_NO_ISOLATION:-}" = "1" ]; then
  "$TOOLS" -m pip install -q --disable-pip-version-check hatchling
  BUILD_ARGS+=(--no-isolation)
fi

echo "== build sdist and wheel =="
"$TOOLS" -m build ${BUILD_ARGS[@]+"${BUILD_ARGS[@]}"} --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log"; echo "FAIL: python -m build"; exit 1; }
shopt -s nullglob
wheels=("$WORK"/dist/*.whl)
sdists=("$WORK"/dist/*.tar.gz)
shopt -u nullglob
[ "${#wheels[@]}" -eq 1 ] || { echo "FAIL: expected one wheel, got ${#wheels[@]}"; exit 1; }
[ "${#sdists[@]}" -eq 1 ] || { echo "FAIL: expected one sdist, got ${#sdists[@]}"; exit 1; }
WHEEL="${wheels[0]}"
echo "built $(basename "$WHEEL") and $(basename "${sdists[0]}")"

echo "== twine check =="
"$TOOLS" -m twine check --strict "$WORK"/dist/*

echo "== wheel contents =="
"$TOOLS" - "$WHEEL" <<'PY'
import sys
import zipfile

names = zipfile.ZipFile(sys.argv[1]).namelist()
problems = []
if "invonetwork/py.typed" not in names:
    problems.append("invonetwork/py.typed is missing (type checkers would ignore the package)")
if not any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")
           for n in names):
    problems.append("the LICENSE file is missing from the .dist-info")
if not any(n.startswith("invonetwork/webhooks/") for n in names):
    problems.append("invonetwork/webhooks/ is missing")
stray = sorted({n.split("/")[0] for n in names} - {"invonetwork"}
               - {n.split("/")[0] for n in names if ".dist-info/" in n})
if stray:
    problems.append(f"unexpected top-level entries: {stray}")
for problem in problems:
    print("FAIL:", problem)
if problems:
    sys.exit(1)
print(f"{len(names)} files; py.typed, LICENSE and invonetwork/webhooks present; nothing else")
PY

echo "== clean install of the wheel =="
"$PYTHON" -m venv "$WORK/clean"
CLEAN="$WORK/clean/$BIN/python"
"$CLEAN" -m pip install -q --disable-pip-version-check "$WHEEL"
(
  cd "$WORK"  # away from the checkout: only the installed wheel can be imported
  "$CLEAN" - <<'PY'
import sys

import invonetwork.webhooks

assert "requests" not in sys.modules, "importing invonetwork.webhooks pulled in requests"
import invonetwork
from invonetwork import InvoServer, verify_webhook

assert invonetwork.__file__ and "site-packages" in invonetwork.__file__, invonetwork.__file__
assert callable(verify_webhook) and InvoServer.__name__ == "InvoServer"
print("imported invonetwork", invonetwork.__version__, "from", invonetwork.__file__)
PY
  "$WORK/clean/$BIN/invonetwork" --version
)

if [ -n "$KEEP_DIR" ]; then
  mkdir -p "$KEEP_DIR"
  cp "$WORK"/dist/* "$KEEP_DIR"/
  echo "kept the checked distributions in $KEEP_DIR"
fi
echo "== wheel check passed =="
