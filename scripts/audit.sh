#!/usr/bin/env bash
# Audit the installed dependencies for known vulnerabilities with pip-audit.
#
#   bash scripts/audit.sh                 # audits the environment of `python` (the active venv)
#   PYTHON=.venv/bin/python bash scripts/audit.sh
#
# Exit 0: no known vulnerability, or the audit could not run because the vulnerability
#         service is out of reach (said so loudly: a skip is not a pass).
# Exit 1: at least one known vulnerability (listed), or pip-audit failed for another reason.
#
# The project itself (installed editable) is skipped: it is not on the package index.
# AUDIT_SERVICE=osv picks the OSV database instead of the package index's (the default).
# AUDIT_IGNORE="GHSA-xxxx PYSEC-yyyy" ignores reviewed advisories (write down why, in the PR).
# PIP_AUDIT_CMD replaces the pip-audit command (tests use it to feed canned reports).
set -uo pipefail

PYTHON="${PYTHON:-python}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/invonetwork-audit.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [ -n "${PIP_AUDIT_CMD:-}" ]; then
  read -r -a AUDIT <<<"$PIP_AUDIT_CMD"
elif "$PYTHON" -m pip_audit --version >/dev/null 2>&1; then
  AUDIT=("$PYTHON" -m pip_audit)
else
  echo "pip-audit is not installed here: installing it into a temporary environment"
  "$PYTHON" -m venv "$WORK/tools" || exit 1
  if [ -d "$WORK/tools/Scripts" ]; then TOOLS="$WORK/tools/Scripts/python"; else TOOLS="$WORK/tools/bin/python"; fi
  if ! "$TOOLS" -m pip install -q --disable-pip-version-check pip-audit >"$WORK/install.log" 2>&1; then
    cat "$WORK/install.log"
    echo "AUDIT SKIPPED: pip-audit could not be installed (is the package index reachable?)"
    exit 0
  fi
  # Audit the target interpreter's packages, not the tools environment's.
  export PIPAPI_PYTHON_LOCATION
  PIPAPI_PYTHON_LOCATION="$(command -v "$PYTHON" || echo "$PYTHON")"
  AUDIT=("$TOOLS" -m pip_audit)
fi

ARGS=(--skip-editable --progress-spinner off --format json --output "$WORK/report.json")
if [ -n "${AUDIT_SERVICE:-}" ]; then ARGS+=(--vulnerability-service "$AUDIT_SERVICE"); fi
for advisory in ${AUDIT_IGNORE:-}; do ARGS+=(--ignore-vuln "$advisory"); done

echo "== pip-audit =="
"${AUDIT[@]}" "${ARGS[@]}" >"$WORK/stdout.log" 2>"$WORK/stderr.log"
status=$?

if [ ! -s "$WORK/report.json" ]; then
  # No report at all: either the service was unreachable or pip-audit itself broke.
  if grep -Eqi "ConnectionError|NameResolution|Max retries exceeded|timed out|Temporary failure in name resolution|Network is unreachable|Connection refused|ServiceError|SSLError|ProxyError" "$WORK/stderr.log"; then
    tail -n 3 "$WORK/stderr.log"
    echo "AUDIT SKIPPED: the vulnerability service could not be reached from this machine."
    echo "Nothing was checked. Run scripts/audit.sh where it is reachable (the release workflow does)."
    exit 0
  fi
  cat "$WORK/stdout.log" "$WORK/stderr.log"
  echo "AUDIT FAILED: pip-audit exited with $status and wrote no report"
  exit 1
fi

"$PYTHON" - "$WORK/report.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
deps = report.get("dependencies", [])
audited = [d for d in deps if "skip_reason" not in d]
skipped = [d for d in deps if "skip_reason" in d]
findings = [(d, v) for d in audited for v in d.get("vulns", [])]

if findings:
    print(f"AUDIT FAILED: {len(findings)} known vulnerabilit{'y' if len(findings) == 1 else 'ies'}")
    for dep, vuln in findings:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
        aliases = ", ".join(vuln.get("aliases", []))
        print(f"  {dep['name']} {dep.get('version', '?')}: {vuln.get('id')}"
              f"{f' ({aliases})' if aliases else ''}; fixed in: {fixes}")
    sys.exit(1)
if deps and not audited:
    print(f"AUDIT SKIPPED: the vulnerability service answered for none of the {len(deps)} "
          "installed packages (no route to its data from this machine). Nothing was checked.")
    print(f"  first reason given: {skipped[0]['skip_reason']}")
    sys.exit(0)
print(f"audited {len(audited)} packages: no known vulnerabilities")
if skipped:
    names = ", ".join(sorted(d["name"] for d in skipped))
    print(f"  not audited ({len(skipped)}): {names}")
PY
