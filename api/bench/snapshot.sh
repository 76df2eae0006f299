#!/usr/bin/env bash
# Snapshot and flatten of a sandbox holding 1 GiB of written data through Kiln (API -> snapshot workflow ->
# kiln-host -> docker commit, or export + import into one layer), against `docker commit` and
# `docker export | docker import` run directly on an identical container, in one run, on a private kiln-api and
# kiln-host started from this tree (api/bench/private-stack.sh). Prints the times and the ratios.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=private-stack.sh
. api/bench/private-stack.sh
mib=${MIB:-1024}
fill="dd if=/dev/urandom of=/payload bs=1M count=$mib 2>/dev/null && sync"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
call() { curl -sS --max-time 1800 -H "Authorization: Bearer $KILN_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
now_ms() { date +%s%3N; }
images=()
sandboxes=()
cleanup() {
  for sandbox in "${sandboxes[@]}"; do call -X DELETE "$api/v1/sandboxes/$sandbox" >/dev/null || true; done
  docker rm -f kiln-bench-direct >/dev/null 2>&1 || true
  for image in "${images[@]}"; do docker rmi -f "$image" >/dev/null 2>&1 || true; done
  stop_private_stack
}
trap cleanup EXIT

# Direct: the same container and data, snapshotted with the plain docker CLI.
docker run -d --name kiln-bench-direct kiln/minimal:latest sleep 3600 >/dev/null
docker exec kiln-bench-direct /bin/sh -c "$fill"
start=$(now_ms); docker commit kiln-bench-direct kiln-bench/commit:latest >/dev/null; direct_commit=$(( $(now_ms) - start ))
images+=(kiln-bench/commit:latest)
start=$(now_ms)
docker export kiln-bench-direct | docker import - kiln-bench/flat:latest >/dev/null
direct_flatten=$(( $(now_ms) - start ))
images+=(kiln-bench/flat:latest)

kiln_snapshot() { # mode -> elapsed ms of POST /v1/snapshots (it answers when the template exists)
  local sandbox
  sandbox=$(call -X POST "$api/v1/sandboxes" -d '{"template":"minimal","memory_mb":2048}' | json 'd["id"]')
  sandboxes+=("$sandbox")
  call -X POST "$api/v1/sandboxes/$sandbox/exec" -d "$(python3 -c "import json,sys; print(json.dumps({'command': sys.argv[1], 'timeout_s': 600}))" "$fill")" >/dev/null
  local name="bench-$1-$(date +%s%N)" start template
  start=$(now_ms)
  template=$(call -X POST "$api/v1/snapshots" -d "{\"sandbox_id\":\"$sandbox\",\"name\":\"$name\",\"mode\":\"$1\"}")
  local elapsed=$(( $(now_ms) - start ))
  local id
  id=$(echo "$template" | json 'd.get("id") or ""')
  [[ -n $id ]] || { echo "snapshot failed: $template" >&2; exit 1; }
  images+=("kiln/$id:latest")
  call -X DELETE "$api/v1/templates/$name" >/dev/null || true
  echo "$elapsed"
}
kiln_commit=$(kiln_snapshot snapshot)
kiln_flatten=$(kiln_snapshot flatten)

python3 - "$mib" "$direct_commit" "$kiln_commit" "$direct_flatten" "$kiln_flatten" <<'PY'
import sys
mib, dc, kc, df, kf = (int(x) for x in sys.argv[1:])
print(f"sandbox with {mib} MiB written")
print(f"snapshot: docker commit {dc} ms, kiln {kc} ms = {kc / dc:.2f}x")
print(f"flatten:  docker export | docker import {df} ms, kiln {kf} ms = {kf / df:.2f}x")
PY
