#!/usr/bin/env bash
# Orchestration overhead of a build: a 20-step recipe of `RUN true` through Kiln (API -> Temporal -> kiln-host
# -> docker exec, with every step recorded in PostgreSQL) against the same 20 `docker exec` calls made directly,
# measured in one run on the stack api/bin/demo.sh started. Prints both, the ratio and the overhead per step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
state=/var/lib/kiln/demo
[[ -f $state/env ]] || { echo "run api/bin/demo.sh first: it starts the stack this measures" >&2; exit 1; }
set -a; . "$state/env"; set +a
api=http://127.0.0.1:8080
steps=${STEPS:-20}
rounds=${ROUNDS:-3}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
call() { curl -sS -H "Authorization: Bearer $KILN_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
now_ms() { date +%s%3N; }

recipe=$(python3 -c "import json; print(json.dumps(['RUN true'] * $steps))")

direct_total=0
kiln_total=0
loop_total=0
for round in $(seq 1 "$rounds"); do
  container=$(docker run -d --rm --label kiln.bench=1 kiln/minimal:latest sleep 600)
  start=$(now_ms)
  for _ in $(seq 1 "$steps"); do docker exec "$container" /bin/sh -c true; done
  direct=$(( $(now_ms) - start ))
  docker rm -f "$container" >/dev/null

  name="bench-$(date +%s%N)"
  start=$(now_ms)
  build_id=$(call -X POST "$api/v1/admin/builds" \
    -d "{\"name\":\"$name\",\"skip_pre_post\":true,\"recipe\":$recipe}" | json 'd["id"]')
  while :; do
    status=$(call "$api/v1/admin/builds/$build_id" | json 'd["status"]')
    case $status in success|failed|cancelled) break ;; esac
    sleep 0.05
  done
  kiln=$(( $(now_ms) - start ))
  [[ $status == success ]] || { echo "bench build $build_id ended $status" >&2; exit 1; }
  # The step loop alone: first step start to last step end, as recorded in PostgreSQL.
  loop=$(PGPASSWORD=kiln psql -h 127.0.0.1 -U kiln -d kiln -tAc \
    "SELECT round(extract(epoch FROM max(finished_at) - min(started_at)) * 1000) FROM template_build_steps WHERE build_id = '$build_id'")
  template_id=$(call "$api/v1/admin/builds/$build_id" | json 'd["template_id"]')
  docker rmi -f "kiln/$template_id:latest" >/dev/null 2>&1 || true

  printf 'round %d: direct %5d ms   kiln steps %6d ms   kiln build %6d ms (submit to success)\n' \
    "$round" "$direct" "$loop" "$kiln"
  direct_total=$((direct_total + direct))
  kiln_total=$((kiln_total + kiln))
  loop_total=$((loop_total + loop))
done

python3 - "$direct_total" "$loop_total" "$kiln_total" "$rounds" "$steps" <<'PY'
import sys
direct, loop, kiln, rounds, steps = (int(x) for x in sys.argv[1:])
d, l, k = direct / rounds, loop / rounds, kiln / rounds
print(f"mean of {rounds}: direct {d:.0f} ms, kiln step loop {l:.0f} ms, kiln whole build {k:.0f} ms ({steps} steps)")
print(f"step loop: {l / d:.1f}x direct, {(l - d) / steps:.0f} ms overhead per step")
print(f"whole build: {k / d:.1f}x direct (adds placement, sandbox creation, flatten and publish)")
PY
