#!/usr/bin/env bash
# Ferry's benchmark (docs/BENCHMARKS.md): Ferry agents as separate JVMs on 127.0.0.1 next to
# OpenSSH scp, rsync over ssh, a raw TCP copy (socat) and a local cp + sync, on the same data and
# the same disk, in one interleaved run. Writes a Markdown table of medians and ratios to
# bench/results/ and says which targets are missed.
#
# Usage: bench/run.sh [--quick] [--only SECTIONS] [--out FILE] [--jfr DIR]
#   --quick      smaller sizes and 2 runs of each: a smoke run of a few minutes
#   --only       comma-separated subset of: bulk,small,cp1,latency,handshake,memory
#   --out        the results file (default bench/results/<date>[-quick].md)
#   --jfr DIR    record every agent with Java Flight Recorder (profile settings) into DIR
# Environment: BENCH_TMPDIR (default $TMPDIR or /tmp) holds the data: several GiB for a full run,
# and it must be the disk being measured. BENCH_KEEP=1 keeps that folder (and the agents' logs).
# BENCH_AGENT_OPTS adds JVM options to every agent, e.g. "-Dferry.client.connections=4" to try
# a setting (the results file names them).
#
# Every process it starts (agents, sshd, socat) is stopped by PID when it exits, whatever happens.
set -euo pipefail
# Decimal points in $EPOCHREALTIME, awk and printf, whatever the caller's locale.
export LC_ALL=C

quick=false
only="bulk,small,cp1,latency,handshake,memory"
out=""
jfr_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --only) only=${2:?--only needs a list}; shift ;;
    --out) out=${2:?--out needs a file}; shift ;;
    --jfr) jfr_dir=${2:?--jfr needs a folder}; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
wanted() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/target/ferry.jar"
probes="$root/target/test-classes"

# Sizes. The full run follows the benchmark issue; quick keeps every big write at 100 MB or more
# so that the same fairness steps apply, and runs each measurement twice.
if $quick; then
  runs=2; bulk_mib=256; cp1_mib=1; small_count=500; latency_count=50; handshake_count=50; memory_mib=512
else
  runs=3; bulk_mib=1024; cp1_mib=8; small_count=2000; latency_count=200; handshake_count=100; memory_mib=2048
fi
settle_ms=50          # ferry.client.settle-time for every Ferry run; it adds to every Ferry time
idle_big=5            # seconds idle before a run that writes 100 MB or more (PERFORMANCE-NOTES.md)
idle_small=2
small_bytes=4096
raw_buffer=65536      # socat's read/write size: 64 KiB writes are the fast ones into a new file here

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Tools. Like .ci/run: install what is missing when we may (root with apt-get), else say what.
need=()
command -v ssh >/dev/null 2>&1 && command -v scp >/dev/null 2>&1 || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v rsync >/dev/null 2>&1 || need+=(rsync)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    die "missing ${need[*]}: install them (Debian: apt-get install ${need[*]})"
  fi
fi

# The jar and the probes (src/jmh/java, compiled by the bench profile), rebuilt when a source is newer.
if [ ! -f "$jar" ] || [ ! -f "$probes/dev/ferry/bench/DropProbe.class" ] \
   || [ -n "$(find "$root/src" "$root/pom.xml" -newer "$jar" -type f -print -quit)" ]; then
  log "building target/ferry.jar and the probes (mvn -P bench package)"
  (cd "$root" && mvn -B -q -P bench -DskipTests package)
fi
probe_cp="$jar:$probes"

# ---------------------------------------------------------------------------------------------
# Work folder and cleanup.
base=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
work=$(mktemp -d "$base/ferry-bench.XXXXXX")
case "$work" in *[[:space:]]*) die "the work folder $work contains a space; set BENCH_TMPDIR" ;; esac
declare -a pids=()
cleanup() {
  local status=$?
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then
    log "kept $work (logs: $work/agents/*/*/*.log)"
    # The data is large and worthless; the logs are what explains a failure.
    find "$work/data" "$work/dest" -type f -delete 2>/dev/null || true
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
# Stops one process we started and forgets it.
stop_pid() {
  local pid=$1 kept=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

mkdir -p "$work/data" "$work/dest" "$work/values"
if [ -n "$jfr_dir" ]; then
  mkdir -p "$jfr_dir"
  jfr_dir=$(cd "$jfr_dir" && pwd)
fi
need_mib=$(( (bulk_mib + memory_mib) * 3 + 512 ))
free_mib=$(df -Pm "$work" | awk 'NR == 2 {print $4}')
[ "$free_mib" -ge "$need_mib" ] || die "$work has $free_mib MiB free; this run needs about $need_mib MiB"

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    [ -z "$(ss -Hltn "sport = :$port")" ] && { echo "$port"; return; }
  done
}
# Waits until something listens on a loopback port, while the process that should is alive.
await_port() {
  local port=$1 pid=$2 what=$3 deadline=$((SECONDS + 60))
  until [ -n "$(ss -Hltn "sport = :$port")" ]; do
    kill -0 "$pid" 2>/dev/null || die "$what exited before listening on port $port"
    [ $SECONDS -lt $deadline ] || die "$what does not listen on port $port after 60 s"
    sleep 0.05
  done
}
await_gone() {
  local path=$1 deadline=$((SECONDS + 300))
  while [ -e "$path" ]; do
    [ $SECONDS -lt $deadline ] || die "$path is still there after 300 s"
    sleep 0.05
  done
}

# One value per line per measurement key; the table takes median, min and max from them.
record() { echo "$2" >> "$work/values/$1"; }
stat_of() {  # KEY -> "median min max runs", or nothing when the key was not measured
  [ -s "$work/values/$1" ] || return 0
  sort -g "$work/values/$1" | awk '{ v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR], NR }'
}
median_of() { stat_of "$1" | awk '{ print $1 }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
rate() { awk -v amount="$1" -v s="$2" 'BEGIN { printf "%.3f", amount / s }'; }
mbps() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.3f", bytes / s / 1e6 }'; }

# Fairness, the same for every tool (PERFORMANCE-NOTES.md): no previous output, dirty pages on
# disk, a few idle seconds (freed memory and page cache settle), and the source read once so
# every tool starts from a cached source.
fair_start() {  # IDLE_SECONDS SOURCE OUTPUT...
  local idle=$1 source=$2
  shift 2
  rm -rf -- "$@"
  sync
  sleep "$idle"
  if [ -d "$source" ]; then find "$source" -type f -exec cat {} + > /dev/null; else cat "$source" > /dev/null; fi
}

# ---------------------------------------------------------------------------------------------
# Data: random, so that nothing compresses; made once, read by every tool.
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "work folder $work; load average $loadavg_start"
java -jar "$jar" certs init --dir "$work/certs" --name localhost --name 127.0.0.1 > /dev/null
bulk_file="$work/data/bulk.bin"
if wanted bulk; then
  log "writing $bulk_mib MiB of random data"
  head -c $((bulk_mib * 1048576)) /dev/urandom > "$bulk_file"
fi
small_dir="$work/data/small"
if wanted small; then
  mkdir -p "$small_dir"
  head -c $((small_count * small_bytes)) /dev/urandom | (cd "$small_dir" && split -b "$small_bytes" -a 5 -d - f)
fi
head -c "$small_bytes" /dev/urandom > "$work/data/one.bin"

# ---------------------------------------------------------------------------------------------
# Ferry agents: one server and one client JVM per pair, each in its own folder.
declare -A agent_port=() agent_server=() agent_client=()
start_agents() {  # NAME PROTOCOL [JVM OPTION...]
  local name=$1 protocol=$2
  shift 2
  local dir="$work/agents/$name" port
  port=$(free_port)
  mkdir -p "$dir/server" "$dir/client/outbox"
  local jvm=("$@")
  # Word splitting wanted: a list of options.
  # shellcheck disable=SC2206
  [ -z "${BENCH_AGENT_OPTS:-}" ] || jvm+=(${BENCH_AGENT_OPTS})
  [ -z "$jfr_dir" ] || jvm+=("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$jfr_dir/$name-ROLE.jfr")
  local opts=(-Dferry.security.protocol="$protocol" -Dferry.server.host=127.0.0.1 -Dferry.server.port="$port"
              -Dferry.client.server-host=127.0.0.1 -Dferry.client.server-port="$port" -Dferry.client.name=bench
              -Dferry.client.settle-time="${settle_ms}ms"
              -Dferry.security.ca-cert="$work/certs/ca.crt" -Dferry.security.server-cert="$work/certs/server.crt"
              -Dferry.security.server-key="$work/certs/server.key")
  (cd "$dir/server" && exec java "${jvm[@]/ROLE/server}" "${opts[@]}" -jar "$jar" server > server.log 2>&1) &
  agent_server[$name]=$!
  pids+=($!)
  await_port "$port" "${agent_server[$name]}" "the $name server"
  (cd "$dir/client" && exec java "${jvm[@]/ROLE/client}" "${opts[@]}" -jar "$jar" client > client.log 2>&1) &
  agent_client[$name]=$!
  pids+=($!)
  local deadline=$((SECONDS + 60))
  until grep -q "client watching outbox" "$dir/client/client.log" 2>/dev/null; do
    kill -0 "${agent_client[$name]}" 2>/dev/null || die "the $name client exited; see $dir/client/client.log"
    [ $SECONDS -lt $deadline ] || die "the $name client did not start within 60 s"
    sleep 0.05
  done
  agent_port[$name]=$port
}
stop_agents() {
  stop_pid "${agent_client[$1]}"
  stop_pid "${agent_server[$1]}"
}
outbox_of() { echo "$work/agents/$1/client/outbox"; }
# The previous output of a Ferry run: everything in the inbox but the server's work folder.
clear_inbox() { find "$1" -mindepth 1 -maxdepth 1 ! -name .ferry -exec rm -rf {} +; }
inbox_of() { echo "$work/agents/$1/server/inbox"; }
probe() { java -cp "$probe_cp" dev.ferry.bench.DropProbe "$@"; }
seconds_of() { sed -n 's/^seconds=//p' <<< "$1"; }

# One file from the outbox to the inbox: hard-linked into the outbox under an excluded name
# (same disk, no copy), then renamed by the probe, which times until the inbox has all of it.
# Timing functions set $seconds rather than print it: a command substitution is a subshell, and a
# process started there would escape the cleanup.
seconds=""
ferry_file() {  # AGENTS SOURCE TAG IDLE
  local agents=$1 source=$2 tag=$3 idle=$4 outbox inbox size line
  outbox=$(outbox_of "$agents")
  inbox=$(inbox_of "$agents")
  size=$(stat -c %s "$source")
  clear_inbox "$inbox"
  fair_start "$idle" "$source"
  # Each run has its own name: the server's receipt ledger would answer a resent name, size,
  # mtime and content with "duplicate" instead of storing it again.
  ln "$source" "$outbox/$tag.bin.part"
  line=$(probe file "$outbox/$tag.bin.part" "$outbox/$tag.bin" "$inbox/$tag.bin" "$size")
  await_gone "$outbox/$tag.bin"
  seconds=$(seconds_of "$line")
}

# ---------------------------------------------------------------------------------------------
# The throwaway sshd for scp and rsync: its own host key, client key, config and port.
ssh_config="$work/ssh/config"
start_sshd() {
  local dir="$work/ssh" port sftp=/usr/lib/openssh/sftp-server
  mkdir -p "$dir"
  chmod 700 "$dir"
  port=$(free_port)
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  echo "[127.0.0.1]:$port $(cat "$dir/host_key.pub")" > "$dir/known_hosts"
  [ -x "$sftp" ] || sftp=internal-sftp
  cat > "$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
# The work folder may sit under a world-writable /tmp, which StrictModes refuses.
StrictModes no
Ciphers aes128-gcm@openssh.com,chacha20-poly1305@openssh.com
Subsystem sftp $sftp
LogLevel ERROR
EOF
  cat > "$ssh_config" <<EOF
Host ferry-bench
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $dir/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  Ciphers aes128-gcm@openssh.com
  Compression no
  LogLevel ERROR
EOF
  # sshd refuses to start without its privilege separation folder, which only the service creates.
  if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then install -d -m 0755 /run/sshd; fi
  /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd does not accept $dir/sshd_config"
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2> "$dir/sshd.log" &
  pids+=($!)
  await_port "$port" "$!" "sshd"
  ssh -F "$ssh_config" ferry-bench true || die "cannot log in to the benchmark sshd; see $dir/sshd.log"
}

scp_to() { timeout 1800 scp -F "$ssh_config" -q -c aes128-gcm@openssh.com "$@"; }
rsync_to() { timeout 1800 rsync -a -e "ssh -F $ssh_config" "$@"; }
timed() {  # COMMAND...
  local t0 t1
  t0=$EPOCHREALTIME
  "$@"
  t1=$EPOCHREALTIME
  seconds=$(elapsed "$t0" "$t1")
}
check_size() {  # FILE EXPECTED_BYTES
  local got
  got=$(stat -c %s "$1" 2>/dev/null || echo missing)
  [ "$got" = "$2" ] || die "$1 has $got bytes, expected $2"
}

# Raw TCP: socat from the file to a listener that writes the file, no encryption at all.
raw_tcp() {  # SOURCE TARGET
  local port receiver
  port=$(free_port)
  socat -u TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr CREATE:"$2" &
  receiver=$!
  pids+=("$receiver")
  await_port "$port" "$receiver" "the socat receiver"
  socat -u -b "$raw_buffer" OPEN:"$1" TCP:127.0.0.1:"$port"
  wait "$receiver"
  stop_pid "$receiver"
}
# Not a ceiling the issue asks for: the raw copy made durable, as Ferry's server makes every file
# before it confirms, to tell the cost of encryption from the cost of the disk.
raw_tcp_sync() { raw_tcp "$1" "$2" && sync "$2"; }
cp_sync() { cp "$1" "$2" && sync "$2"; }
# The disk's bound for a tool that forces what it writes, written the way Ferry's server writes:
# 64 KiB writes into a new file, then fsync (PERFORMANCE-NOTES.md, trap 2: cp's bigger writes are slower here).
dd_sync() { dd if="$1" of="$2" bs=64K conv=fsync status=none; }

# ---------------------------------------------------------------------------------------------
# Runs every tool once per round, rotating the order, so a busy minute on the shared machine
# falls on a different tool each time.
rotate() {  # ROUND ITEM... -> the items, starting at index ROUND
  local r=$1
  shift
  local items=("$@") i n=$#
  for ((i = 0; i < n; i++)); do echo "${items[$(((i + r) % n))]}"; done
}

if wanted bulk || wanted small || wanted latency || wanted handshake; then
  log "starting Ferry agents (plain and cp2, settle-time ${settle_ms}ms)"
  start_agents plain plain
  start_agents cp2 cp2
fi
if wanted bulk || wanted small; then
  log "starting the benchmark sshd"
  start_sshd
fi

bulk_bytes=$((bulk_mib * 1048576))
if wanted bulk; then
  for ((r = 0; r < runs; r++)); do
    for tool in $(rotate "$r" ferry-plain ferry-cp2 scp rsync raw raw-sync cp dd); do
      log "bulk $bulk_mib MiB, run $((r + 1))/$runs: $tool"
      dest="$work/dest/$tool"
      mkdir -p "$dest"
      case "$tool" in
        ferry-plain|ferry-cp2)
          ferry_file "${tool#ferry-}" "$bulk_file" "bulk-r$r" "$idle_big" ;;
        scp)
          fair_start "$idle_big" "$bulk_file" "$dest/bulk.bin"
          timed scp_to "$bulk_file" "ferry-bench:$dest/bulk.bin" ;;
        rsync)
          fair_start "$idle_big" "$bulk_file" "$dest/bulk.bin"
          timed rsync_to "$bulk_file" "ferry-bench:$dest/bulk.bin" ;;
        raw)
          fair_start "$idle_big" "$bulk_file" "$dest/bulk.bin"
          timed raw_tcp "$bulk_file" "$dest/bulk.bin" ;;
        raw-sync)
          fair_start "$idle_big" "$bulk_file" "$dest/bulk.bin"
          timed raw_tcp_sync "$bulk_file" "$dest/bulk.bin" ;;
        cp)
          fair_start "$idle_big" "$bulk_file" "$dest/bulk.bin"
          timed cp_sync "$bulk_file" "$dest/bulk.bin" ;;
        dd)
          fair_start "$idle_big" "$bulk_file" "$dest/bulk.bin"
          timed dd_sync "$bulk_file" "$dest/bulk.bin" ;;
      esac
      case "$tool" in ferry-*) ;; *) check_size "$dest/bulk.bin" "$bulk_bytes" ;; esac
      record "bulk.$tool" "$(mbps "$bulk_bytes" "$seconds")"
      log "  $seconds s, $(mbps "$bulk_bytes" "$seconds") MB/s"
    done
  done
  rm -rf "$work/dest"/*/bulk.bin
  clear_inbox "$(inbox_of plain)"
  clear_inbox "$(inbox_of cp2)"
fi

# Small files: nothing any tool wrote is deleted until the section ends. On ext4 without a journal
# (this VM's disk) a new inode skips every inode of its block group freed in the last 60 s
# (recently_deleted() in fs/ext4/ialloc.c): right after 2,000 files are deleted, each creation there
# costs 0.3-0.8 ms of kernel time instead of 0.03, and which tool pays depends on which folders
# share a group with what was deleted (docs/BENCHMARKS.md, "Fairness").
ferry_small() {  # AGENTS TAG
  local agents=$1 tag=small-$2 outbox inbox line deadline
  outbox=$(outbox_of "$agents")
  inbox=$(inbox_of "$agents")
  fair_start "$idle_small" "$small_dir"
  # All files appear at once: a hidden folder of hard links, renamed into view.
  cp -al "$small_dir" "$outbox/.stage-$tag"
  line=$(probe folder "$outbox/.stage-$tag" "$outbox/$tag" "$inbox/$tag" "$small_count")
  seconds=$(seconds_of "$line")
  deadline=$((SECONDS + 300))
  until [ -z "$(find "$outbox/$tag" -type f -print -quit 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || die "the $agents client still holds files of $tag after 300 s"
    sleep 0.1
  done
  rm -rf "${outbox:?}/$tag"
}
if wanted small; then
  # The agents are services that run for days: the medians are of warm agents. Their first batch
  # (the JIT compiling the small-file path while it runs) is timed and shown apart.
  for agents in plain cp2; do
    log "small files $small_count x $small_bytes B, first batch of the $agents agents (not in the medians)"
    ferry_small "$agents" first
    record "small-first.ferry-$agents" "$(rate "$small_count" "$seconds")"
    log "  $seconds s, $(rate "$small_count" "$seconds") files/s"
  done
  for ((r = 0; r < runs; r++)); do
    for tool in $(rotate "$r" ferry-plain ferry-cp2 scp rsync); do
      log "small files $small_count x $small_bytes B, run $((r + 1))/$runs: $tool"
      dest="$work/dest/$tool/r$r"
      mkdir -p "$dest"
      case "$tool" in
        ferry-plain|ferry-cp2)
          ferry_small "${tool#ferry-}" "r$r" ;;
        scp)
          fair_start "$idle_small" "$small_dir"
          timed scp_to -r "$small_dir" "ferry-bench:$dest/" ;;
        rsync)
          fair_start "$idle_small" "$small_dir"
          timed rsync_to "$small_dir" "ferry-bench:$dest/" ;;
      esac
      case "$tool" in
        ferry-*) ;;
        *) [ "$(find "$dest/small" -type f | wc -l)" = "$small_count" ] || die "$tool did not copy $small_count files" ;;
      esac
      record "small.$tool" "$(rate "$small_count" "$seconds")"
      log "  $seconds s, $(rate "$small_count" "$seconds") files/s"
    done
  done
  rm -rf "$work/dest"/*/r[0-9]*
  clear_inbox "$(inbox_of plain)"
  clear_inbox "$(inbox_of cp2)"
fi

if wanted latency; then
  for ((r = 0; r < runs; r++)); do
    for agents in $(rotate "$r" plain cp2); do
      log "latency $latency_count files one at a time, run $((r + 1))/$runs: ferry-$agents"
      inbox=$(inbox_of "$agents")
      clear_inbox "$inbox"
      # Every file's time stays in the work folder (BENCH_KEEP=1) to see which drops were slow.
      line=$(java -cp "$probe_cp" -Dferry.bench.samples="$work/latency-ferry-$agents-r$r.txt" dev.ferry.bench.DropProbe \
        latency "$work/data/one.bin" "$(outbox_of "$agents")" "$inbox" "$latency_count" "lat-r$r")
      record "latency-p50.ferry-$agents" "$(sed -n 's/.*p50_ms=\([^ ]*\).*/\1/p' <<< "$line")"
      record "latency-p99.ferry-$agents" "$(sed -n 's/.*p99_ms=\([^ ]*\).*/\1/p' <<< "$line")"
      log "  $line"
    done
  done
fi

if wanted handshake; then
  for ((r = 0; r < runs; r++)); do
    for agents in $(rotate "$r" plain cp2); do
      log "handshake $handshake_count sessions, run $((r + 1))/$runs: ferry-$agents"
      line=$(java -cp "$probe_cp" -Dferry.security.protocol="$agents" -Dferry.client.server-host=127.0.0.1 \
        -Dferry.security.ca-cert="$work/certs/ca.crt" \
        dev.ferry.bench.HandshakeProbe 127.0.0.1 "${agent_port[$agents]}" "$handshake_count" | grep '^protocol=')
      record "handshake.ferry-$agents" "$(sed -n 's/.* median_ms=\([^ ]*\).*/\1/p' <<< "$line")"
      record "handshake-cold.ferry-$agents" "$(sed -n 's/.*cold_median_ms=\([^ ]*\).*/\1/p' <<< "$line")"
      log "  $line"
    done
  done
fi

if wanted bulk || wanted small || wanted latency || wanted handshake; then
  stop_agents plain
  stop_agents cp2
fi

if wanted cp1; then
  cp1_file="$work/data/cp1.bin"
  head -c $((cp1_mib * 1048576)) /dev/urandom > "$cp1_file"
  log "starting Ferry agents (cp1)"
  start_agents cp1 cp1
  for ((r = 0; r < runs; r++)); do
    log "cp1 $cp1_mib MiB, run $((r + 1))/$runs"
    ferry_file cp1 "$cp1_file" "cp1-r$r" "$idle_small"
    record "cp1.ferry-cp1" "$(mbps $((cp1_mib * 1048576)) "$seconds")"
    log "  $seconds s, $(mbps $((cp1_mib * 1048576)) "$seconds") MB/s"
  done
  stop_agents cp1
fi

if wanted memory; then
  memory_file="$work/data/memory.bin"
  log "writing $memory_mib MiB of random data"
  head -c $((memory_mib * 1048576)) /dev/urandom > "$memory_file"
  for ((r = 0; r < runs; r++)); do
    for protocol in $(rotate "$r" plain cp2); do
      log "memory $memory_mib MiB with -Xmx64m, run $((r + 1))/$runs: ferry-$protocol"
      # Fresh agents for every run: the peak includes the JVM's start, as in service.
      name="mem-$protocol-r$r"
      start_agents "$name" "$protocol" -Xmx64m
      ferry_file "$name" "$memory_file" "mem" "$idle_big"
      # VmHWM: the resident set's high-water mark since the process started, in KiB.
      server_kib=$(awk '/^VmHWM/ { print $2 }' "/proc/${agent_server[$name]}/status")
      client_kib=$(awk '/^VmHWM/ { print $2 }' "/proc/${agent_client[$name]}/status")
      stop_agents "$name"
      rm -rf "$(inbox_of "$name")"
      record "memory-server.ferry-$protocol" "$(awk -v k="$server_kib" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')"
      record "memory-client.ferry-$protocol" "$(awk -v k="$client_kib" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')"
      record "memory-rate.ferry-$protocol" "$(mbps $((memory_mib * 1048576)) "$seconds")"
      log "  $seconds s, server peak $((server_kib / 1024)) MiB, client peak $((client_kib / 1024)) MiB"
    done
  done
fi
loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# The report.
fmt() { awk -v v="$1" 'BEGIN { a = v < 0 ? -v : v; printf (a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f"), v }'; }
row() {  # KEY LABEL TOOL UNIT
  local s
  s=$(stat_of "$1")
  [ -n "$s" ] || return 0
  read -r med min max n <<< "$s"
  echo "| $2 | $3 | **$(fmt "$med")** | $(fmt "$min") | $(fmt "$max") | $4 | $n |"
}
missed=()
ratio_row() {  # LABEL NUMERATOR_KEY DENOMINATOR_KEY GOAL(or -)
  local a b value verdict=""
  a=$(median_of "$2")
  b=$(median_of "$3")
  [ -n "$a" ] && [ -n "$b" ] || return 0
  value=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
  if [ "$4" != "-" ]; then
    if awk -v v="$value" -v g="$4" 'BEGIN { exit !(v >= g) }'; then verdict="met"; else verdict="**MISSED**"; missed+=("$1: $value, goal >= $4"); fi
  fi
  echo "| $1 | $value | ${verdict:+>= $4} | $verdict |"
}
limit_row() {  # LABEL KEY UNIT MAXIMUM
  local v verdict
  v=$(median_of "$2")
  [ -n "$v" ] || return 0
  if awk -v v="$v" -v g="$4" 'BEGIN { exit !(v <= g) }'; then verdict="met"; else verdict="**MISSED**"; missed+=("$1: $(fmt "$v") $3, goal <= $4 $3"); fi
  echo "| $1 | $(fmt "$v") $3 | <= $4 $3 | $verdict |"
}
minimum_row() {  # LABEL KEY UNIT MINIMUM
  local v verdict
  v=$(median_of "$2")
  [ -n "$v" ] || return 0
  if awk -v v="$v" -v g="$4" 'BEGIN { exit !(v >= g) }'; then verdict="met"; else verdict="**MISSED**"; missed+=("$1: $(fmt "$v") $3, goal >= $4 $3"); fi
  echo "| $1 | $(fmt "$v") $3 | >= $4 $3 | $verdict |"
}

day=$(date +%Y-%m-%d)
# Plain ifs: under set -e, an assignment from a substitution whose last command is false would end the script.
kind=""
args=""
if $quick; then
  kind="-quick"
  args=" --quick"
fi
if [ "$only" != "bulk,small,cp1,latency,handshake,memory" ]; then
  args="$args --only $only"
fi
if [ -z "$out" ]; then
  out="$root/bench/results/$day$kind.md"
  [ ! -e "$out" ] || out="${out%.md}-$(date +%H%M).md"
fi
mkdir -p "$(dirname "$out")"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
# What is measured is the product code: changes to the benchmarks themselves do not count here.
[ -z "$(git -C "$root" status --porcelain -- src/main 2>/dev/null)" ] || commit="$commit (with uncommitted changes to src/main)"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem_gib=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
fs=$(df -PT "$work" | awk 'NR == 2 { print $1 " (" $2 ")" }')
agent_opts_note=""
[ -z "${BENCH_AGENT_OPTS:-}" ] || agent_opts_note=" but $BENCH_AGENT_OPTS"
settle_p50=$((settle_ms + 20))
settle_p99=$((settle_ms + 100))

{
  echo "# Ferry benchmark $day${kind:+, quick run}"
  echo
  echo "Command: \`${BENCH_AGENT_OPTS:+BENCH_AGENT_OPTS=\"$BENCH_AGENT_OPTS\" }bench/run.sh$args\` at commit $commit."
  echo
  echo "Machine: $(nproc) cores ($cpu), $mem_gib GiB memory, data on $fs; $(uname -sr);"
  echo "$(java -version 2>&1 | head -1); $(ssh -V 2>&1); $(rsync --version | head -1 | awk '{ print "rsync", $3 }');"
  echo "$(socat -V | awk '/socat version/ { print "socat", $3; exit }'). Load average $loadavg_start at the start, $loadavg_end at the end."
  echo
  echo "The machine is shared: other people's builds and tests run on the same 2 cores, so figures"
  echo "move by up to 2x between runs. Every tool ran in the same interleaved rounds; compare ratios."
  echo
  echo "Ferry: agents as separate JVMs on 127.0.0.1, default heap (memory: -Xmx64m), settle-time"
  echo "${settle_ms} ms (included in every Ferry time), the other settings at their defaults (reference.conf)$agent_opts_note;"
  echo "timed from the rename into the outbox until the file is in the inbox (the server has forced it to disk)."
  echo "scp and rsync: to a throwaway sshd on loopback, aes128-gcm@openssh.com, no compression (scp"
  echo "in its default SFTP mode). Raw TCP: socat, ${raw_buffer}-byte reads and writes; \"then sync\" adds a"
  echo "sync of the received file. cp: cp, then sync of the file. dd: the file copied in 64 KiB writes"
  echo "(as Ferry's server writes), then fsync: the disk's bound for a tool that forces what it writes."
  echo "Only Ferry, dd and the two with sync force data to disk before they count as done. MB = 10^6 bytes."
  echo "Before each run that writes 100 MB or more, for every tool: previous output deleted, sync,"
  echo "${idle_big} s idle, source read once (untimed); small files: the same with ${idle_small} s idle."
  echo
  echo "## Medians of $runs runs"
  echo
  echo "| measurement | tool | median | min | max | unit | runs |"
  echo "|---|---|---|---|---|---|---|"
  for tool in ferry-plain ferry-cp2 scp rsync raw raw-sync cp dd; do
    label=$tool
    case "$tool" in raw) label="raw TCP (socat)" ;; raw-sync) label="raw TCP, then sync (extra)" ;; cp) label="cp + sync" ;; dd) label="dd 64 KiB writes + fsync (disk bound)" ;; rsync) label="rsync -e ssh" ;; scp) label="scp" ;; esac
    row "bulk.$tool" "bulk, one $bulk_mib MiB file" "$label" "MB/s"
  done
  row "cp1.ferry-cp1" "bulk, one $cp1_mib MiB file" "ferry-cp1" "MB/s"
  for tool in ferry-plain ferry-cp2 scp rsync; do
    label=$tool
    case "$tool" in rsync) label="rsync -e ssh" ;; scp) label="scp -r" ;; esac
    row "small.$tool" "$small_count files of 4 KiB at once" "$label" "files/s"
  done
  for p in plain cp2; do row "small-first.ferry-$p" "the same, first batch after start (not in the median)" "ferry-$p" "files/s"; done
  for p in plain cp2; do row "latency-p50.ferry-$p" "latency p50, $latency_count files one at a time" "ferry-$p" "ms"; done
  for p in plain cp2; do row "latency-p99.ferry-$p" "latency p99, $latency_count files one at a time" "ferry-$p" "ms"; done
  for p in plain cp2; do row "handshake.ferry-$p" "handshake, median of $handshake_count sessions (warm client)" "ferry-$p" "ms"; done
  for p in plain cp2; do row "handshake-cold.ferry-$p" "the same, the $handshake_count sessions of a fresh client JVM before them" "ferry-$p" "ms"; done
  for p in plain cp2; do
    row "memory-server.ferry-$p" "server peak RSS, $memory_mib MiB file, -Xmx64m" "ferry-$p" "MB"
    row "memory-client.ferry-$p" "client peak RSS, $memory_mib MiB file, -Xmx64m" "ferry-$p" "MB"
    row "memory-rate.ferry-$p" "throughput of that run" "ferry-$p" "MB/s"
  done
  echo
  echo "## Ratios of medians and targets"
  echo
  echo "| ratio or target | measured | goal | |"
  echo "|---|---|---|---|"
  ratio_row "bulk: Ferry cp2 / scp" bulk.ferry-cp2 bulk.scp 1.5
  ratio_row "bulk: Ferry cp2 / rsync" bulk.ferry-cp2 bulk.rsync -
  ratio_row "bulk: Ferry cp2 / raw TCP" bulk.ferry-cp2 bulk.raw -
  ratio_row "bulk: Ferry plain / raw TCP" bulk.ferry-plain bulk.raw 0.7
  ratio_row "bulk: Ferry plain / (raw TCP, then sync)" bulk.ferry-plain bulk.raw-sync -
  ratio_row "bulk: Ferry plain / scp" bulk.ferry-plain bulk.scp -
  ratio_row "bulk: Ferry plain / cp + sync" bulk.ferry-plain bulk.cp -
  ratio_row "bulk: Ferry cp2 / cp + sync" bulk.ferry-cp2 bulk.cp -
  ratio_row "bulk: Ferry cp2 / dd + fsync (disk bound)" bulk.ferry-cp2 bulk.dd -
  ratio_row "bulk: Ferry plain / dd + fsync (disk bound)" bulk.ferry-plain bulk.dd -
  ratio_row "bulk: Ferry cp2 / Ferry plain" bulk.ferry-cp2 bulk.ferry-plain -
  ratio_row "bulk: dd + fsync (disk bound) / scp" bulk.dd bulk.scp -
  ratio_row "small files: Ferry cp2 / scp -r" small.ferry-cp2 small.scp 2
  ratio_row "small files: Ferry cp2 / rsync" small.ferry-cp2 small.rsync 1.2
  ratio_row "small files: Ferry plain / scp -r" small.ferry-plain small.scp -
  ratio_row "small files: Ferry plain / rsync" small.ferry-plain small.rsync -
  limit_row "latency p50, cp2 (settle $settle_ms ms + 20)" latency-p50.ferry-cp2 ms "$settle_p50"
  limit_row "latency p99, cp2 (settle $settle_ms ms + 100)" latency-p99.ferry-cp2 ms "$settle_p99"
  limit_row "latency p50, plain (settle $settle_ms ms + 20)" latency-p50.ferry-plain ms "$settle_p50"
  limit_row "latency p99, plain (settle $settle_ms ms + 100)" latency-p99.ferry-plain ms "$settle_p99"
  minimum_row "cp1 (2x the original Python's ~0.2 MB/s)" cp1.ferry-cp1 MB/s 0.4
  limit_row "handshake cp2, median" handshake.ferry-cp2 ms 10
  for p in plain cp2; do
    limit_row "peak RSS, server, $p, -Xmx64m" "memory-server.ferry-$p" MB 200
    limit_row "peak RSS, client, $p, -Xmx64m" "memory-client.ferry-$p" MB 200
  done
  if [ "$memory_mib" -lt 2048 ] && [ -s "$work/values/memory-server.ferry-cp2" ]; then
    echo
    echo "The memory goal is stated for a 2 GiB file; this run moved $memory_mib MiB."
  fi
  echo
  if [ ${#missed[@]} -eq 0 ]; then
    echo "Every target measured in this run is met."
  else
    echo "Missed in this run:"
    echo
    for m in "${missed[@]}"; do echo "- $m"; done
  fi
  echo
  echo "## Every run"
  echo
  echo "| key | values in run order |"
  echo "|---|---|"
  for f in "$work/values"/*; do
    [ -e "$f" ] || continue
    echo "| $(basename "$f") | $(paste -sd' ' "$f") |"
  done
} > "$out"

cat "$out"
log "results written to $out"
if [ ${#missed[@]} -gt 0 ]; then
  log "targets missed: ${#missed[@]} (listed in the results)"
fi
