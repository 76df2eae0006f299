# Sourced by the benchmarks: starts a private kiln-api (ports 8180/8181, a fresh database, a control queue of its
# own) and one kiln-host (8190/8191, a temp state dir) from this work tree's jars, on the shared PostgreSQL, Temporal
# and Docker, so that a benchmark measures this tree's code and not whatever the demo stack runs. Sets $api,
# $KILN_ADMIN_KEY, $host_id and $bench_work; stop_private_stack (chained into the caller's EXIT trap) stops both
# processes, drops the database and removes the host's step cache images. KILN_BENCH_API_JAVA_OPTS and
# KILN_BENCH_HOST_JAVA_OPTS go to the two JVMs, to profile one, e.g. -XX:StartFlightRecording=filename=/tmp/api.jfr
bench_work=$(mktemp -d /tmp/kiln-bench-stack.XXXXXX)
bench_db=kiln_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
bench_pg="postgresql://kiln:kiln@127.0.0.1:5432"
bench_queue="kiln-bench-$bench_db"
KILN_ADMIN_KEY=kiln_bench_admin_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
api=http://127.0.0.1:8180
bench_api_pid=
bench_host_pid=
host_id=

stop_private_stack() {
  [[ -n $bench_host_pid ]] && kill "$bench_host_pid" 2>/dev/null && wait "$bench_host_pid" 2>/dev/null || true
  [[ -n $bench_api_pid ]] && kill "$bench_api_pid" 2>/dev/null && wait "$bench_api_pid" 2>/dev/null || true
  if [[ -n $host_id ]]; then
    docker ps -aq --filter "label=kiln.host=$host_id" | xargs -r docker rm -f >/dev/null 2>&1 || true
    # Newest first, so that a cache image goes before the one it was committed on.
    docker images -q --filter "label=kiln.role=step-cache" --filter "label=kiln.host=$host_id" \
      | xargs -r docker rmi -f >/dev/null 2>&1 || true
  fi
  # Golden sessions' daemons, mounts and network namespaces live under the host's state dir; a session that had not
  # stopped when the host went leaves them behind, and they are this stack's to remove.
  pgrep -f "dockerd.*$bench_work" | xargs -r kill 2>/dev/null || true
  for _ in $(seq 1 20); do pgrep -f "dockerd.*$bench_work" >/dev/null || break; sleep 0.5; done
  mount | awk -v root="$bench_work" 'index($3, root) == 1 { print $3 }' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  for run in "$bench_work"/host/golden/run/*/; do
    [[ -d $run ]] && ip netns delete "kiln-$(basename "$run")" 2>/dev/null || true
  done
  # What the stack's kiln-api started in Temporal outlives it: the GC schedule of its control queue, and the
  # workflows still running there (the lease sweeper, the host's lifecycle), which would stay in the Temporal UI.
  temporal schedule delete --schedule-id "golden-gc-$bench_queue" >/dev/null 2>&1 || true
  temporal workflow terminate --query "TaskQueue = '$bench_queue' AND ExecutionStatus = 'Running'" \
    --reason "the benchmark's stack stopped" --yes >/dev/null 2>&1 || true
  psql -q "$bench_pg/kiln" -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$bench_work"
}

[[ -f api/server/target/kiln-api.jar && -f worker-host/target/kiln-host.jar ]] \
  || mvn -B -q -DskipTests package -pl api/server,worker-host -am
psql -q "$bench_pg/kiln" -c "CREATE DATABASE $bench_db" >/dev/null
KILN_DB_URL="jdbc:postgresql://127.0.0.1:5432/$bench_db" KILN_API_PORT=8180 KILN_API_ADMIN_PORT=8181 \
  KILN_CONTROL_TASK_QUEUE="$bench_queue" KILN_ADMIN_KEY=$KILN_ADMIN_KEY \
  KILN_HOST_TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  java -Xmx1g ${KILN_BENCH_API_JAVA_OPTS:-} -jar api/server/target/kiln-api.jar server api/config.yml >"$bench_work/kiln-api.log" 2>&1 &
bench_api_pid=$!
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:8181/healthcheck >/dev/null 2>&1 && break; sleep 1; done
curl -sf http://127.0.0.1:8181/healthcheck >/dev/null || { tail -30 "$bench_work/kiln-api.log"; exit 1; }

bench_call() { curl -sS -H "Authorization: Bearer $KILN_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
created=$(bench_call -X POST "$api/v1/hosts" -d '{"type":"regular"}')
host_id=$(echo "$created" | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"]["id"])')
token=$(echo "$created" | python3 -c 'import json,sys; print(json.load(sys.stdin)["registration_token"])')
KILN_API_URL=$api KILN_REGISTRATION_TOKEN=$token KILN_HOST_STATE_DIR=$bench_work/host KILN_HOST_PORT=8190 \
  KILN_HOST_ADMIN_PORT=8191 KILN_HEARTBEAT_INTERVAL=5s \
  java ${KILN_BENCH_HOST_JAVA_OPTS:-} -jar worker-host/target/kiln-host.jar server worker-host/config.yml >"$bench_work/kiln-host.log" 2>&1 &
bench_host_pid=$!
for _ in $(seq 1 120); do
  status=$(bench_call "$api/v1/hosts/$host_id" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status"))')
  [[ $status == online ]] && break
  sleep 1
done
[[ $status == online ]] || { tail -30 "$bench_work/kiln-host.log"; exit 1; }
