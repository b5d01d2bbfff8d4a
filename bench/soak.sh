#!/usr/bin/env bash
# Soak run of the fault harness: both agents as separate JVMs (cp2), killed with SIGKILL at random
# moments and restarted, while files flow; at the end every file must be in the inbox exactly once
# with its SHA-256 and nothing temporary left. Prints the counts of the run.
# Usage: bench/soak.sh [CYCLES] [FILES] [SEED]     (defaults: 1000 cycles, 300 files, random seed)
# Loopback only; the agents it starts are stopped by PID when it ends.
set -euo pipefail
cycles=${1:-1000}
files=${2:-300}
seed=${3:-$(date +%s%N)}
cd "$(dirname "$0")/.."
mvn -B -q test -Dtest=FaultHarnessTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsoak.cycles="$cycles" -Dsoak.files="$files" -Dsoak.seed="$seed" || status=$?
grep -h "fault harness" target/surefire-reports/dev.ferry.e2e.FaultHarnessTest-output.txt || true
exit "${status:-0}"
