#!/usr/bin/env bash
# Generates a design and checks its IP-XACT component (tests/e2e/ipxact_check.py).
# usage: ipxact_generate_check.sh RTLGEN NET OUTDIR
set -euo pipefail
"$1" generate "$2" -o "$3" >/dev/null
exec python3 "$(dirname "$0")/ipxact_check.py" "$3"
