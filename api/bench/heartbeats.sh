#!/usr/bin/env bash
# Heartbeat throughput and latency of one kiln-api at fleet scale (#15), against GET /v1/hosts/{id} and against the
# load generator's own ceiling, all in the same run.
#
#   bash api/bench/heartbeats.sh [HOSTS ...]        (default: 1000 10000 30000)
#
# Starts its own kiln-api (ports 8180/8181) on a throwaway database, seeds HOSTS registered hosts with live leases
# (seed_hosts.py), then for each fleet size drives wrk (heartbeat.lua) for DURATION seconds:
#   1. the generator's ceiling: the same script against the admin port's /ping, which does no work;
#   2. heartbeats: POST /v1/hosts/{id}/heartbeat, round-robin over the hosts, as renewals of live leases;
#   3. the baseline: GET /v1/hosts/{id} over the same hosts.
# For each it prints requests/s, p50 and p99, PostgreSQL row writes/s (and how many updates were HOT), and the
# Temporal history events the run added to host workflows, per host per hour. Needs the services of .ci/setup.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
sizes=("${@:-1000 10000 30000}")
read -r -a sizes <<< "${sizes[*]}"
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
work=$(mktemp -d /tmp/kiln-bench-heartbeats.XXXXXX)
db=kiln_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
queue=kiln-bench-$db
admin_key=kiln_bench_admin_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
pg="postgresql://kiln:kiln@127.0.0.1:5432"
temporal=$(command -v temporal || ls /root/.pyenv/versions/*/bin/temporal 2>/dev/null | head -1)
api_pid=

cleanup() {
  [[ -n $api_pid ]] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  psql -q "$pg/kiln" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "installing wrk"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
[[ -f api/server/target/kiln-api.jar ]] || mvn -B -q -DskipTests package -pl api/server -am

psql -q "$pg/kiln" -c "CREATE DATABASE $db" >/dev/null
# The simulated hosts beat only while their run lasts, and a lease renewed then would expire during the next fleet
# size's runs, so the sweeper would take a thousand hosts down mid-measurement; a steady fleet keeps beating, so the
# bench gives leases two hours instead.
KILN_HEARTBEAT_TIMEOUT=2h KILN_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db" KILN_API_PORT=8180 KILN_API_ADMIN_PORT=8181 \
  KILN_CONTROL_TASK_QUEUE=$queue KILN_ADMIN_KEY=$admin_key KILN_HOST_TOKEN_SECRET=$secret \
  java -Xmx1g -jar api/server/target/kiln-api.jar server api/config.yml >"$work/kiln-api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 90); do curl -sf http://127.0.0.1:8181/healthcheck >/dev/null 2>&1 && break; sleep 1; done
curl -sf http://127.0.0.1:8181/healthcheck >/dev/null || { tail -30 "$work/kiln-api.log"; exit 1; }

# Sum of row writes in the bench database, and of HOT updates: PostgreSQL's own counters.
writes() {
  psql -Atq "$pg/$db" -c "SELECT pg_stat_force_next_flush()" >/dev/null
  psql -Atq "$pg/$db" -c "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) || ' ' ||
      coalesce(sum(n_tup_hot_upd), 0) || ' ' || coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables"
}
# History events of this queue's workflows: the lease sweeper's, and the host-<id> ones that a transition starts. The
# listing does not carry a workflow's history length, so each is described.
history_events() {
  "$temporal" workflow list --query "TaskQueue = '$queue'" -o json 2>/dev/null \
    | python3 -c 'import json,sys; [print(w["execution"]["workflowId"]) for w in json.load(sys.stdin) or []]' \
    | while read -r id; do
        "$temporal" workflow describe -w "$id" -o json 2>/dev/null \
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["workflowExecutionInfo"].get("historyLength", 0))'
      done | awk '{ total += $1 } END { print total + 0 }'
}

# Runs wrk once; prints "requests/s p50_ms p99_ms non-200s".
drive() {
  local url=$1 mode=$2 out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s api/bench/heartbeat.lua "$url" \
    -- "$work/hosts.txt" "$mode" "$admin_key" 2>"$work/wrk.err")
  python3 - "$out" <<'PY'
import re, sys
text = sys.argv[1]
def ms(label):
    value, unit = re.search(label + r"%\s+([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(f"{rate:.0f} {ms(' 50'):.1f} {ms(' 99'):.1f} {bad.group(1) if bad else 0}")
PY
}

# Temporal history events that renewals do not show: a beat that is a transition signals the host workflow. SAMPLE
# hosts of the fleet are made due for the periodic reconcile (reconciled_at pushed back), or made to come back (lease
# expired), and beat once each; prints the events added per host. The seeded hosts have no host workflow yet, and the
# first signal starts one, so a first came-back round starts them unmeasured.
SAMPLE=${SAMPLE:-50}
transition_events() {
  local hosts_file=$1 column=$2 e0 e1 per
  head -"$SAMPLE" "$hosts_file" > "$work/sample.txt"
  local ids
  ids=$(cut -d' ' -f1 "$work/sample.txt" | sed "s/.*/'&'/" | paste -sd,)
  e0=$(history_events)
  psql -Atq "$pg/$db" -c "UPDATE host_leases SET $column WHERE host_id IN ($ids)" >/dev/null
  while read -r id token; do
    curl -s -o /dev/null -X POST -H "X-Host-Token: $token" -H 'Content-Type: application/json' -d '{}' \
      "http://127.0.0.1:8180/v1/hosts/$id/heartbeat"
  done < "$work/sample.txt"
  sleep 5  # the signalled workflows run their tasks
  e1=$(history_events)
  python3 -c "print(f'{($e1 - $e0) / $SAMPLE:.1f}')"
}

# The JIT compiles what the first runs use; without this, whichever fleet size goes first pays for it.
if [[ ${WARMUP:-15} -gt 0 ]]; then
  python3 api/bench/seed_hosts.py "$pg/$db" "$secret" 200 "$work/warm.txt"
  for mode in beat get; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP:-15}s" -s api/bench/heartbeat.lua http://127.0.0.1:8180 \
      -- "$work/warm.txt" "$mode" "$admin_key" >/dev/null 2>&1
  done
fi

printf '%-8s %-22s %10s %8s %8s %12s %8s %14s\n' hosts load req/s p50_ms p99_ms pg_writes/s hot_% events/host/h
seeded=0
for size in "${sizes[@]}"; do
  python3 api/bench/seed_hosts.py "$pg/$db" "$secret" $((size - seeded)) "$work/more.txt"
  cat "$work/more.txt" >> "$work/hosts.txt"
  seeded=$size
  pace=$(curl -s -X POST -H "X-Host-Token: $(head -1 "$work/hosts.txt" | cut -d' ' -f2)" -H 'Content-Type: application/json' \
    -d '{}' "http://127.0.0.1:8180/v1/hosts/$(head -1 "$work/hosts.txt" | cut -d' ' -f1)/heartbeat")
  sleep 11  # the pace's fleet size is cached for 10 s
  for run in "ceiling|http://127.0.0.1:8181|ping" "heartbeat|http://127.0.0.1:8180|beat" "GET-host|http://127.0.0.1:8180|get"; do
    IFS='|' read -r name url mode <<< "$run"
    read -r w0 hot0 upd0 <<< "$(writes)"
    e0=$(history_events)
    read -r rate p50 p99 bad <<< "$(drive "$url" "$mode")"
    read -r w1 hot1 upd1 <<< "$(writes)"
    e1=$(history_events)
    upd=$((upd1 - upd0))
    hot=$([[ $upd -gt 0 ]] && echo $(( (hot1 - hot0) * 100 / upd )) || echo -)
    events=$(python3 -c "print(f'{($e1 - $e0) / $size / ($DURATION / 3600):.2f}')")
    printf '%-8s %-22s %10s %8s %8s %12s %8s %14s\n' "$size" "$name${bad:+ ($bad non-200)}" "$rate" "$p50" "$p99" \
      $(( (w1 - w0) / DURATION )) "$hot" "$events"
    echo "$size $name $rate $p50 $p99" >> "$work/results"
  done
  echo "         pace told to a host of this fleet: $pace"
done
transition_events "$work/hosts.txt" "state = 'expired'" >/dev/null
reconcile=$(transition_events "$work/hosts.txt" "reconciled_at = now() - interval '1 day'")
came_back=$(transition_events "$work/hosts.txt" "state = 'expired'")
reconcile_minutes=15  # LivenessFactory's default reconcileEvery, which api/config.yml leaves as it is
echo
echo "Temporal: $reconcile history events per reconcile beat, $came_back per came-back beat ($SAMPLE hosts each);"
echo "  a steady fleet's renewals add none, and the periodic reconcile (every $reconcile_minutes min) costs" \
  "$(python3 -c "print(f'{$reconcile * 60 / $reconcile_minutes:.1f}')") events per host per hour"
python3 - "$work/results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    size, name, rate, p50, p99 = line.split()
    rows.setdefault(size, {})[name] = (float(rate), float(p50), float(p99))
print("\nratios (same run): heartbeat / GET-host throughput, heartbeat / generator ceiling")
for size, runs in rows.items():
    beat, get, ceiling = runs["heartbeat"], runs["GET-host"], runs["ceiling"]
    print(f"  {size:>6} hosts: {beat[0] / get[0]:.2f}x GET throughput (p99 {beat[2]:.1f} vs {get[2]:.1f} ms), "
          f"{beat[0] / ceiling[0]:.2f} of the generator's ceiling ({ceiling[0]:.0f}/s)")
PY
