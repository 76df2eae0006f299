#!/usr/bin/env bash
# Sets up everything on a fresh Debian machine and runs Kiln's main job end to end:
# Postgres + Temporal + Docker, kiln-api, one kiln-host registered with a one-time token,
# then a recipe built into a template with each step printed as it finishes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd)
state=/var/lib/kiln/demo
logs=/var/log/kiln
mkdir -p "$state" "$logs"
started=$(date +%s)

say() { printf '\n==> %s\n' "$*"; }

say "Installing and starting Docker, PostgreSQL and Temporal"
bash .ci/setup.sh

say "Building kiln-api and kiln-host"
mvn -B -q -DskipTests package

# Secrets are made once and kept, so re-running the demo reuses the same API key and host.
if [[ ! -f $state/env ]]; then
  umask 077
  {
    echo "KILN_ADMIN_KEY=kiln_admin_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "KILN_HOST_TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } > "$state/env"
fi
set -a; . "$state/env"; set +a
api=http://127.0.0.1:8080

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
call() { curl -sS -H "Authorization: Bearer $KILN_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }

if ! curl -sf http://127.0.0.1:8081/healthcheck >/dev/null 2>&1; then
  say "Starting kiln-api (log: $logs/kiln-api.log)"
  setsid nohup java -jar api/server/target/kiln-api.jar server api/config.yml >"$logs/kiln-api.log" 2>&1 < /dev/null &
  echo $! > "$state/kiln-api.pid"
  for _ in $(seq 1 120); do
    curl -sf http://127.0.0.1:8081/healthcheck >/dev/null 2>&1 && break
    sleep 1
  done
  curl -sf http://127.0.0.1:8081/healthcheck >/dev/null || { tail -40 "$logs/kiln-api.log"; exit 1; }
fi
echo "kiln-api is healthy at $api"

host_alive() { [[ -f $state/kiln-host.pid ]] && kill -0 "$(cat "$state/kiln-host.pid")" 2>/dev/null; }
start_host() { # registration token, empty to resume with the credentials saved in the host's state dir
  host_started=$(date +%s)
  KILN_REGISTRATION_TOKEN=$1 KILN_HOST_STATE_DIR=$state/host \
    setsid nohup java -jar worker-host/target/kiln-host.jar server worker-host/config.yml \
    >>"$logs/kiln-host.log" 2>&1 < /dev/null &
  echo $! > "$state/kiln-host.pid"
}
wait_online() { # seconds; fails when they pass or kiln-host exits first
  for _ in $(seq 1 "$1"); do
    # Online from a heartbeat of this process: the one stopped a moment ago may still be online until its lease lapses.
    status=$(call "$api/v1/hosts/$host_id" | python3 -c "import datetime,json,sys; d=json.load(sys.stdin)
beat=d.get('last_heartbeat_at')
fresh=beat and datetime.datetime.fromisoformat(beat.replace('Z', '+00:00')).timestamp() >= $host_started
print(d.get('status') if fresh else 'starting')")
    [[ $status == online ]] && return 0
    host_alive || return 1
    sleep 1
  done
  return 1
}
new_host() {
  say "Creating a host and starting kiln-host with its one-time registration token"
  rm -rf "$state/host"
  created=$(call -X POST "$api/v1/hosts" -d '{"type":"regular"}')
  host_id=$(echo "$created" | json 'd["host"]["id"]')
  echo "$host_id" > "$state/host-id"
  : > "$logs/kiln-host.log"
  start_host "$(echo "$created" | json 'd["registration_token"]')"
}
host_id=$(cat "$state/host-id" 2>/dev/null || true)
if ! host_alive; then
  # A host that stopped (a reboot, a killed process) comes back as itself: a new one would leave the old one online
  # until its lease lapsed, and the build could be placed on it and wait a minute for a worker that never comes.
  known=$([[ -n $host_id && -f $state/host/host-credentials.json ]] \
    && call "$api/v1/hosts/$host_id" | json 'd.get("status") or ""' || true)
  if [[ -n $known && $known != deleted ]]; then
    say "Restarting kiln-host $host_id with its saved credentials"
    start_host ""
    if ! wait_online 60; then
      echo "kiln-host $host_id did not come back online (see $logs/kiln-host.log); replacing it with a new host"
      host_alive && kill "$(cat "$state/kiln-host.pid")" && sleep 2
      # Deleted, not left to lapse, so that no build is placed on it meanwhile; its sandboxes were the demo's.
      call -X DELETE "$api/v1/hosts/$host_id?force=true" >/dev/null || true
      new_host
    fi
  else
    new_host
  fi
fi
wait_online 120 || { tail -40 "$logs/kiln-host.log"; exit 1; }
echo "host $host_id is $status"

say "Submitting api/examples/hello-site.json"
name="hello-site-$(date +%H%M%S)"
request=$(python3 -c "import json; d=json.load(open('api/examples/hello-site.json')); d['name']='$name'; print(json.dumps(d))")
build=$(call -X POST "$api/v1/admin/builds" -d "$request")
build_id=$(echo "$build" | json 'd["id"]')
total=$(echo "$build" | json 'd["total_steps"]')
echo "build $build_id: $total steps, template $name"

printed=0
while :; do
  build=$(call "$api/v1/admin/builds/$build_id")
  printed=$(echo "$build" | python3 -c "
import json, sys
build = json.load(sys.stdin); printed = $printed
for step in build['steps']:
    if step['step'] > printed and step.get('ok') is not None:
        if step.get('cached'):
            mark = 'cached'
        else:
            mark = ('ok' if step['ok'] else 'FAILED (exit %s)' % step.get('exit_code')) + ' in %d ms' % step.get('elapsed_ms', 0)
        print('  [%d/%d] %-60s %s' % (step['step'], build['total_steps'], step['command'][:60], mark), file=sys.stderr)
        for line in (step.get('stdout') or '').splitlines()[-3:]:
            print('        | ' + line, file=sys.stderr)
        printed = step['step']
print(printed)")
  status=$(echo "$build" | json 'd["status"]')
  case $status in success|failed|cancelled) break ;; esac
  sleep 1
done

say "Build $build_id finished: $status"
if [[ $status != success ]]; then
  echo "$build" | json 'd.get("error")'
  exit 1
fi
template_id=$(echo "$build" | json 'd["template_id"]')
echo "template: $name ($template_id), image kiln/$template_id:latest"
docker image ls "kiln/$template_id"
echo "a container from the template, as its default user in its workdir, reads:"
docker run --rm "kiln/$template_id:latest" sh -c 'echo "  user=$(id -un) pwd=$(pwd) GREETING=$GREETING"; echo "  index.html: $(cat index.html)"'

# The row says success once the template is published; the workflow then removes the build sandbox and ends.
for _ in $(seq 1 60); do
  workflow_status=$(temporal workflow describe --workflow-id "build-$build_id" -o json 2>/dev/null \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['workflowExecutionInfo']['status'])" 2>/dev/null || true)
  [[ $workflow_status == *COMPLETED* ]] && break
  sleep 1
done
echo "Temporal workflow build-$build_id: ${workflow_status:-unknown}"

cat <<INFO

Console:         $api/console/builds/$build_id   sign in with the admin key: KILN_ADMIN_KEY in $state/env
Kiln API:        $api
Temporal UI:     http://127.0.0.1:8233/namespaces/default/workflows/build-$build_id
Logs:            $logs/kiln-api.log, $logs/kiln-host.log
Took $(( $(date +%s) - started )) s.
INFO
