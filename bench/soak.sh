#!/usr/bin/env bash
# Soak run of the fault harness: both agents as separate JVMs (cp2), killed with SIGKILL at random
# moments or halted at a test-only kill point of the commit (dev.ferry.test.kill-at), and restarted,
# while files flow: a first wave of FILES files, then, whenever the outbox has emptied, a new wave of
# WAVE_FILES files under new names. Each wave is checked once delivered (every file in the inbox
# exactly once with its SHA-256, nothing else) and removed from the inbox; at the end nothing
# temporary may be left. Prints the counts of the run: kills per agent and per kill point, waves,
# files, lost, duplicates, corrupt, leftovers.
# Usage: bench/soak.sh [CYCLES] [FILES] [SEED] [WAVE_FILES]
#        (defaults: 1000 cycles, 300 files, random seed, FILES/10 files per later wave)
# Loopback only; the agents it starts are stopped by PID when it ends.
set -euo pipefail
cycles=${1:-1000}
files=${2:-300}
seed=${3:-$(date +%s%N)}
wave_files=${4:-$(( files / 10 > 0 ? files / 10 : 1 ))}
cd "$(dirname "$0")/.."
mvn -B -q test -Dtest=FaultHarnessTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsoak.cycles="$cycles" -Dsoak.files="$files" -Dsoak.seed="$seed" -Dsoak.wave-files="$wave_files" \
  || status=$?
grep -h "fault harness\|kill point not reached" target/surefire-reports/dev.ferry.e2e.FaultHarnessTest-output.txt || true
exit "${status:-0}"
