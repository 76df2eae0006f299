#!/usr/bin/env bash
# Seed 004, automated: a dev session started from a golden whose warm-up built an image runs `docker build` of the
# same Dockerfile much faster than a cold session (one from a golden whose warm-up built nothing), both measured in
# one run on a private kiln-api and kiln-host started from this tree (api/bench/private-stack.sh). No registry is
# reachable, so the Dockerfile builds on kiln/minimal:latest, which the host loads into every golden's daemon.
# Each session's `docker build` runs here against that session's own daemon (its docker_host), as a user's would.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=private-stack.sh
. api/bench/private-stack.sh
sessions=()
projects=()
team_key=
cleanup() {
  for session in "${sessions[@]}"; do
    curl -sS -X DELETE -H "Authorization: Bearer $team_key" "$api/v1/sessions/$session" >/dev/null || true
  done
  # A session's daemon is gone once its status says stopped; the stack's teardown removes what one that did not
  # stop in time leaves.
  for _ in $(seq 1 120); do
    live=0
    for session in "${sessions[@]}"; do
      status=$(curl -sS -H "Authorization: Bearer $team_key" "$api/v1/sessions/$session" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status"))' 2>/dev/null || echo unknown)
      [[ $status == stopped ]] || live=1
    done
    [[ $live == 0 ]] && break
    sleep 1
  done
  for project in "${projects[@]}"; do
    curl -sS -X DELETE -H "Authorization: Bearer $team_key" "$api/v1/projects/$project/golden" >/dev/null || true
  done
  rm -rf "$context"
  stop_private_stack
}
trap cleanup EXIT

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
admin() { curl -sS -H "Authorization: Bearer $KILN_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
team() { curl -sS -H "Authorization: Bearer $team_key" -H 'Content-Type: application/json' "$@"; }
now_ms() { date +%s%3N; }

# Several seconds of work in two layers, none of it network: what a cache can save.
dockerfile='FROM kiln/minimal:latest
RUN i=0; while [ $i -lt 400000 ]; do i=$((i + 1)); done; echo $i > /count
RUN dd if=/dev/urandom of=/blob bs=1M count=128 2>/dev/null && sha256sum /blob > /blob.sha256'
context=$(mktemp -d /tmp/kiln-seed-004.XXXXXX)
printf '%s\n' "$dockerfile" > "$context/Dockerfile"

team_id=$(admin -X POST "$api/v1/admin/teams" -d '{"name":"seed-004"}' | json 'd["id"]')
team_key=$(admin -X POST "$api/v1/admin/teams/$team_id/api-keys" -d '{"name":"bench"}' | json 'd["key"]')

warmup=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "set -e
mkdir -p /tmp/ctx-\$\$ && cd /tmp/ctx-\$\$
cat > Dockerfile <<'DOCKERFILE'
$dockerfile
DOCKERFILE
docker build -q -t app:warm .")
suffix=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
warm_project=warm-$suffix
cold_project=cold-$suffix
team -X PUT "$api/v1/projects/$warm_project" -d "{\"name\":\"warm\",\"warmup_script\":$warmup}" >/dev/null
team -X PUT "$api/v1/projects/$cold_project" -d '{"name":"cold","warmup_script":"true"}' >/dev/null
projects+=("$warm_project" "$cold_project")

for project in "$warm_project" "$cold_project"; do
  team -X POST "$api/v1/projects/$project/golden/build" -d '{}' >/dev/null
done
for project in "$warm_project" "$cold_project"; do
  sleep 1
  for _ in $(seq 1 300); do
    status=$(team "$api/v1/projects/$project/golden" | json 'd["status"]')
    [[ $status != building ]] && break
    sleep 1
  done
  [[ $status == ready ]] || { echo "golden of $project ended $status" >&2; tail -20 "$bench_work/kiln-host.log" >&2; exit 1; }
done

session_host() { # project -> docker_host of a running session started from its golden
  local session status
  session=$(team -X POST "$api/v1/projects/$1/sessions" -d '{}' | json 'd["id"]')
  sessions+=("$session")
  for _ in $(seq 1 300); do
    status=$(team "$api/v1/sessions/$session" | json 'd["status"]')
    [[ $status != starting ]] && break
    sleep 1
  done
  [[ $status == running ]] || { echo "session $session ended $status" >&2; exit 1; }
  team "$api/v1/sessions/$session" | json 'd["docker_host"]'
}
timed_build() { # docker_host -> ms of `docker build` of the Dockerfile there
  local start
  start=$(now_ms)
  docker -H "$1" build -q -t app:bench "$context" >/dev/null
  echo $(( $(now_ms) - start ))
}

cold_host=$(session_host "$cold_project")
cold=$(timed_build "$cold_host")
warm_host=$(session_host "$warm_project")
warm=$(timed_build "$warm_host")
python3 - "$cold" "$warm" <<'PY'
import sys
cold, warm = (int(x) for x in sys.argv[1:])
print(f"docker build in a session: cold golden {cold} ms, golden warmed by the same build {warm} ms"
      f" = {warm / cold:.2f}x ({cold / warm:.1f}x faster)")
PY
