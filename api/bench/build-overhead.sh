#!/usr/bin/env bash
# Build overhead, each figure a ratio against a baseline measured in the same run, on a private kiln-api and
# kiln-host started from this tree (api/bench/private-stack.sh) over the shared PostgreSQL, Temporal and Docker:
#
# 1. The step loop: a recipe of $STEPS x `RUN true` (no_cache, so that no step commits to the step cache) from the
#    first step's start to the last one's end as PostgreSQL recorded them, against the engine's own floor: the same
#    number of docker-java exec create + start + inspect calls against a running container (api/bench/ExecFloor.java,
#    in a JVM of its own, warmed first). The same loop with the cache on (every step committed) is shown too.
# 2. The step cache: the second build of a 10-line Debian recipe with an `apt-get install` (plus the 7 pre- and
#    post-build steps), submitted under another name, against its first build, submit to success as PostgreSQL
#    recorded them.
#
# Where the last no_cache loop's time went comes from its Temporal history (api/bench/step_phases.py).
#
# The load generator here is curl polling once a second (parsed by grep) and a few psql queries per build; neither is
# on the measured path, and every time is PostgreSQL's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
steps=${STEPS:-20}
rounds=${ROUNDS:-3}
# shellcheck source=private-stack.sh
. api/bench/private-stack.sh
floor_container=
cleanup() {
  [[ -n $floor_container ]] && docker rm -f "$floor_container" >/dev/null 2>&1 || true
  stop_private_stack
}
trap cleanup EXIT

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
call() { curl -sS -H "Authorization: Bearer $KILN_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }

# Submits a build and waits for it; prints "<build id> <submit-to-success ms>", as PostgreSQL recorded the build's
# creation and completion. The status is polled once a second: each GET costs kiln-api a few ms of CPU, which at 10 a
# second was over a third of its CPU during the step loop (a JFR profile of one run), on the two cores the loop runs on.
build() {
  local body=$1 build_id status
  build_id=$(call -X POST "$api/v1/admin/builds" -d "$body" | json 'd["id"]')
  while :; do
    status=$(call "$api/v1/admin/builds/$build_id" | grep -o '"status":"[a-z_]*"' | head -1 | cut -d'"' -f4)
    case $status in success|failed|cancelled) break ;; esac
    sleep 1
  done
  [[ $status == success ]] || { echo "bench build $build_id ended $status: $(call "$api/v1/admin/builds/$build_id")" >&2; exit 1; }
  echo "$build_id $(psql -Atq "$bench_pg/$bench_db" -c "SELECT round(extract(epoch FROM completed_at - created_at) * 1000)
    FROM template_builds WHERE id = '$build_id'")"
}
# First step's start to last step's end, as PostgreSQL recorded them.
step_loop() {
  psql -Atq "$bench_pg/$bench_db" -c "SELECT round(extract(epoch FROM max(finished_at) - min(started_at)) * 1000)
    FROM template_build_steps WHERE build_id = '$1'"
}
cached_steps() {
  psql -Atq "$bench_pg/$bench_db" -c "SELECT count(*) FILTER (WHERE cached) || '/' || count(*)
    FROM template_build_steps WHERE build_id = '$1'"
}
remove_template() {
  docker rmi -f "kiln/$(call "$api/v1/admin/builds/$1" | json 'd["template_id"]'):latest" >/dev/null 2>&1 || true
}

floor_container=$(docker run -d --rm --label kiln.bench=1 kiln/minimal:latest sleep 3600)
# The floor's JVM is warmed with as many execs as it measures; kiln's freshly started processes get one unmeasured build
# of the same recipe, so that neither side's figure carries JIT compilation.
recipe=$(python3 -c "import json; print(json.dumps(['RUN true'] * $steps))")
read -r warm_build _ <<< "$(build "{\"name\":\"warm-$(date +%s%N)\",\"skip_pre_post\":true,\"no_cache\":true,\"recipe\":$recipe}")"
remove_template "$warm_build"
floor_total=0; loop_total=0; cache_loop_total=0
for round in $(seq 1 "$rounds"); do
  floor=$(java -cp worker-host/target/kiln-host.jar api/bench/ExecFloor.java "$floor_container" "$steps" | tail -1)
  recipe=$(python3 -c "import json; print(json.dumps(['RUN true'] * $steps))")
  read -r loop_build _ <<< "$(build "{\"name\":\"loop-$round-$(date +%s%N)\",\"skip_pre_post\":true,\"no_cache\":true,\"recipe\":$recipe}")"
  loop=$(step_loop "$loop_build")
  # Unique commands, so that every step misses the cache and commits.
  recipe=$(python3 -c "import json,time; print(json.dumps([f'RUN true # {time.time_ns()} {i}' for i in range($steps)]))")
  read -r cache_build _ <<< "$(build "{\"name\":\"commit-$round-$(date +%s%N)\",\"skip_pre_post\":true,\"recipe\":$recipe}")"
  cache_loop=$(step_loop "$cache_build")
  remove_template "$loop_build"; remove_template "$cache_build"
  [[ $round -eq $rounds ]] && phases=$(python3 api/bench/step_phases.py "build-$loop_build")
  printf 'round %d: engine floor %5d ms   kiln step loop %5d ms (no_cache)   %5d ms (every step committed)\n' \
    "$round" "$floor" "$loop" "$cache_loop"
  floor_total=$((floor_total + floor)); loop_total=$((loop_total + loop)); cache_loop_total=$((cache_loop_total + cache_loop))
done

echo "where the last no_cache loop's time went, per step (Temporal history event times):"
echo "$phases" | sed 's/^/  /'

nonce=$(date +%s%N)
debian=$(python3 - "$nonce" <<'PY'
import json, sys
print(json.dumps([
    f"RUN echo bench {sys.argv[1]} | sudo tee /etc/kiln-bench",
    "RUN sudo apt-get install -y --no-install-recommends curl",
    "ENV APP_HOME=/home/user/app",
    "WORKDIR app",
    "RUN echo one > one.txt",
    "RUN curl --version | head -1 > curl.txt",
    "ENV MODE=bench",
    "RUN echo $MODE > mode.txt",
    "RUN ls -la > listing.txt",
    "RUN sha256sum *.txt > sums.txt",
]))
PY
)
read -r first_build first_ms <<< "$(build "{\"name\":\"debian-first-$nonce\",\"base_template\":\"debian\",\"recipe\":$debian}")"
read -r second_build second_ms <<< "$(build "{\"name\":\"debian-second-$nonce\",\"base_template\":\"debian\",\"recipe\":$debian}")"
echo "debian recipe: first build $first_ms ms ($(cached_steps "$first_build") steps cached), second build $second_ms ms ($(cached_steps "$second_build") cached)"
remove_template "$first_build"; remove_template "$second_build"

python3 - "$floor_total" "$loop_total" "$cache_loop_total" "$rounds" "$steps" "$first_ms" "$second_ms" <<'PY'
import sys
floor, loop, cache_loop, rounds, steps, first, second = (int(x) for x in sys.argv[1:])
f, l, c = floor / rounds / steps, loop / rounds / steps, cache_loop / rounds / steps
print(f"mean of {rounds} rounds, per step: engine exec floor {f:.0f} ms, kiln {l:.0f} ms (no_cache), {c:.0f} ms (committing)")
print(f"step loop: {l / f:.2f}x the engine's exec floor ({l - f:.0f} ms of orchestration per step); "
      f"with every step committed to the cache {c / f:.2f}x")
print(f"second debian build: {second / first:.2f}x its first ({second} ms against {first} ms)")
PY
