#!/usr/bin/env bash
# Memory check: moves one large file (default 2 GiB) from outbox to inbox with both agents in
# separate JVMs limited to -Xmx64m, then prints the SHA-256 check, the time and each agent's peak
# RSS (VmHWM). Usage: bench/memory.sh [SIZE_MIB] [PROTOCOL]
# Runs on 127.0.0.1 only; stops the agents it started by PID.
set -euo pipefail
size_mib=${1:-2048}
protocol=${2:-plain}
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/target/ferry.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
java -jar "$jar" certs init --dir "$work/certs" --name localhost --name 127.0.0.1 > /dev/null
common=(-Xmx64m -Dferry.security.protocol="$protocol" -Dferry.server.host=127.0.0.1 -Dferry.server.port="$port"
        -Dferry.client.server-port="$port" -Dferry.client.settle-time=200ms
        -Dferry.security.ca-cert="$work/certs/ca.crt" -Dferry.security.server-cert="$work/certs/server.crt"
        -Dferry.security.server-key="$work/certs/server.key")
mkdir -p "$work/server" "$work/client/outbox"
(cd "$work/server" && exec java "${common[@]}" -jar "$jar" server > server.log 2>&1) & pids+=($!)
(cd "$work/client" && exec java "${common[@]}" -jar "$jar" client > client.log 2>&1) & pids+=($!)

echo "writing ${size_mib} MiB of random data..."
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/client/source.part"
expected=$(sha256sum "$work/client/source.part" | cut -d' ' -f1)
start=$(date +%s.%N)
mv "$work/client/source.part" "$work/client/outbox/big.bin"

server_pid=$(pgrep -f "ferry.server.port=$port.*server$" | head -1)
client_pid=$(pgrep -f "ferry.server.port=$port.*client$" | head -1)
peak() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
until [ -f "$work/server/inbox/big.bin" ] && [ ! -f "$work/client/outbox/big.bin" ]; do
  if ! kill -0 "$server_pid" 2>/dev/null || ! kill -0 "$client_pid" 2>/dev/null; then
    echo "an agent died"; tail -20 "$work/server/server.log" "$work/client/client.log"; exit 1
  fi
  sleep 0.2
done
end=$(date +%s.%N)
actual=$(sha256sum "$work/server/inbox/big.bin" | cut -d' ' -f1)
server_kib=$(peak "$server_pid")
client_kib=$(peak "$client_pid")
awk -v s="$start" -v e="$end" -v m="$size_mib" -v p="$protocol" \
  'BEGIN { t = e - s; printf "protocol=%s size=%dMiB seconds=%.2f MB/s=%.0f\n", p, m, t, m * 1.048576 / t }'
echo "server peak RSS: $((server_kib / 1024)) MiB, client peak RSS: $((client_kib / 1024)) MiB (-Xmx64m each)"
if [ "$expected" = "$actual" ]; then echo "SHA-256 matches: $actual"; else echo "SHA-256 MISMATCH"; exit 1; fi
