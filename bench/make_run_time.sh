#!/usr/bin/env bash
# Wall time of `make run` from a fresh clone until the server answers /healthz.
#   bash bench/make_run_time.sh [PORT]
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
port=${1:-8765}
dir=$(mktemp -d /tmp/labsite-fresh-XXXX)
git clone -q "$repo" "$dir/labsite"
cd "$dir/labsite"
start=$(date +%s.%N)
setsid make run PORT="$port" >"$dir/run.log" 2>&1 &
pid=$!
# make and the server it starts share one process group; stop the whole group at the end.
trap 'kill -- -"$pid" 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
  sleep 0.5
  if ! kill -0 $pid 2>/dev/null; then echo "make run exited early:"; tail -20 "$dir/run.log"; exit 1; fi
done
end=$(date +%s.%N)
printf 'make run, fresh clone -> server answering: %.1f s\n' "$(echo "$end - $start" | bc)"
grep -A4 "Demo logins" "$dir/run.log" || true
