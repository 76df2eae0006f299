#!/usr/bin/env bash
# Snapshot and flatten of a sandbox holding 1 GiB of written data through Kiln (API -> snapshot workflow ->
# kiln-host -> docker commit, or export + import into one layer), against `docker commit` and
# `docker export | docker import` run directly on an identical container. ROUNDS rounds (default 3), the two sides
# taking turns to go first, on a private kiln-api and kiln-host started from this tree (api/bench/private-stack.sh).
# Prints the median times and ratios, and each round's ratios.
set -euo pipefail
# A failed snapshot inside $(...) must stop the run, not print an empty time.
shopt -s inherit_errexit
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=private-stack.sh
. api/bench/private-stack.sh
mib=${MIB:-1024}
fill="dd if=/dev/urandom of=/payload bs=1M count=$mib 2>/dev/null && sync"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
call() { curl -sS --max-time 1800 -H "Authorization: Bearer $KILN_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
now_ms() { date +%s%3N; }
# Each round removes what it made; this is for a run cut short. The private stack removes its host's sandboxes.
cleanup() {
  docker rm -f kiln-bench-direct >/dev/null 2>&1 || true
  docker rmi -f kiln-bench/commit:latest kiln-bench/flat:latest >/dev/null 2>&1 || true
  stop_private_stack
}
trap cleanup EXIT

rounds=${ROUNDS:-3}

# Direct: a fresh container with the same data, snapshotted with the plain docker CLI. Prints "commit_ms flatten_ms".
direct_round() {
  docker rm -f kiln-bench-direct >/dev/null 2>&1 || true
  docker run -d --name kiln-bench-direct kiln/minimal:latest sleep 3600 >/dev/null
  docker exec kiln-bench-direct /bin/sh -c "$fill"
  local start commit flatten
  start=$(now_ms); docker commit kiln-bench-direct kiln-bench/commit:latest >/dev/null; commit=$(( $(now_ms) - start ))
  start=$(now_ms)
  docker export kiln-bench-direct | docker import - kiln-bench/flat:latest >/dev/null
  flatten=$(( $(now_ms) - start ))
  docker rm -f kiln-bench-direct >/dev/null
  docker rmi -f kiln-bench/commit:latest kiln-bench/flat:latest >/dev/null
  echo "$commit $flatten"
}

kiln_snapshot() { # mode -> elapsed ms of POST /v1/snapshots (it answers when the template exists)
  local sandbox
  sandbox=$(call -X POST "$api/v1/sandboxes" -d '{"template":"minimal","memory_mb":2048}' | json 'd["id"]')
  call -X POST "$api/v1/sandboxes/$sandbox/exec" -d "$(python3 -c "import json,sys; print(json.dumps({'command': sys.argv[1], 'timeout_s': 600}))" "$fill")" >/dev/null
  local name="bench-$1-$(date +%s%N)" start template
  start=$(now_ms)
  template=$(call -X POST "$api/v1/snapshots" -d "{\"sandbox_id\":\"$sandbox\",\"name\":\"$name\",\"mode\":\"$1\"}")
  local elapsed=$(( $(now_ms) - start ))
  local id
  id=$(echo "$template" | json 'd.get("id") or ""')
  [[ -n $id ]] || { echo "snapshot failed: $template" >&2; exit 1; }
  call -X DELETE "$api/v1/templates/$name" >/dev/null || true
  call -X DELETE "$api/v1/sandboxes/$sandbox" >/dev/null || true
  docker rmi -f "kiln/$id:latest" >/dev/null 2>&1 || true
  echo "$elapsed"
}
kiln_round() {
  local snapshot flatten
  snapshot=$(kiln_snapshot snapshot)
  flatten=$(kiln_snapshot flatten)
  echo "$snapshot $flatten"
}

# The page cache and the disk's write-back favour whichever side goes second, so the sides take turns going first.
results=()
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then direct=$(direct_round); kiln=$(kiln_round)
  else kiln=$(kiln_round); direct=$(direct_round); fi
  results+=("$direct $kiln")
  echo "round $round: direct commit/flatten ms $direct, kiln snapshot/flatten ms $kiln" >&2
done

python3 - "$mib" "${results[@]}" <<'PY'
import statistics, sys
mib = sys.argv[1]
rounds = [[int(x) for x in r.split()] for r in sys.argv[2:]]
dc, df, kc, kf = (statistics.median(r[i] for r in rounds) for i in range(4))
print(f"sandbox with {mib} MiB written, {len(rounds)} rounds, medians")
print(f"snapshot: docker commit {dc:.0f} ms, kiln {kc:.0f} ms = {kc / dc:.2f}x"
      f" (per round: {', '.join(f'{r[2] / r[0]:.2f}x' for r in rounds)})")
print(f"flatten:  docker export | docker import {df:.0f} ms, kiln {kf:.0f} ms = {kf / df:.2f}x"
      f" (per round: {', '.join(f'{r[3] / r[1]:.2f}x' for r in rounds)})")
PY
