#!/usr/bin/env sh
# Checks the systemd units in packaging/systemd with `systemd-analyze verify`.
# Exits 0 when they are clean, 1 on any finding, and 0 with a message when systemd-analyze is
# not installed (Debian/Ubuntu: apt-get install systemd).
#
# verify checks that ExecStart= and ExecReload= name executable files, so the units are verified
# inside a throw-away root (--root) that holds this checkout's bin/ferry at /opt/ferry/bin/ferry,
# the host's kill at /bin/kill, and a copy of the host's system units (the targets ours are
# ordered after). verify reports unknown
# keys and unparsable values as warnings with exit code 0, so any output counts as a failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
units="ferry-server.service ferry-client.service"

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-units: skipped, systemd-analyze is not installed (apt-get install systemd)"
  exit 0
fi
# verify honours --root only from systemd 250 on; older versions would check the host instead.
version=$(systemd-analyze --version | sed -n 's/^systemd \([0-9][0-9]*\).*/\1/p')
if [ "${version:-0}" -lt 250 ]; then
  echo "check-units: skipped, systemd ${version:-?} is older than 250 (verify --root)"
  exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT INT TERM
mkdir -p "$root/opt/ferry/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp "$here/../bin/ferry" "$root/opt/ferry/bin/ferry"
chmod 0755 "$root/opt/ferry/bin/ferry"
# ExecReload=/bin/kill -HUP $MAINPID (procps or util-linux provide it wherever systemd runs).
mkdir -p "$root/bin"
cp "$(command -v /bin/kill || command -v /usr/bin/kill)" "$root/bin/kill"
for dir in /usr/lib/systemd/system /lib/systemd/system; do
  if [ -d "$dir" ] && [ ! -e "$root$dir" ]; then
    mkdir -p "$root$(dirname "$dir")"
    cp -R "$dir" "$root$dir"
  fi
done

status=0
for unit in $units; do
  cp "$here/systemd/$unit" "$root/etc/systemd/system/$unit"
  if output=$(systemd-analyze verify --man=no --root="$root" "$root/etc/systemd/system/$unit" 2>&1) \
      && [ -z "$output" ]; then
    echo "check-units: $unit ok"
  else
    echo "check-units: $unit FAILED"
    printf '%s\n' "$output" | sed "s#$root##g"
    status=1
  fi
done
exit $status
