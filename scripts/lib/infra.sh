# Shared by scripts/setup, scripts/dev and scripts/test: where things live and how the
# infrastructure (Kafka from Maven Central jars, PostgreSQL and Prometheus from Debian) is
# installed, started and stopped as plain local processes. Source it; do not run it.

MEDWIRE_ROOT=${MEDWIRE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$MEDWIRE_ROOT/deploy/kafka/pom.xml")
KAFKA_LIBS="$MEDWIRE_ROOT/.cache/kafka/$KAFKA_VERSION/libs"
OPENSEARCH_VERSION=$(sed -n 's:.*<opensearch.version>\(.*\)</opensearch.version>.*:\1:p' "$MEDWIRE_ROOT/deploy/opensearch/pom.xml")
# The node's home (lib/, modules/, plugins/), assembled by scripts/setup; read-only to the node,
# whose config, data and logs live in the state folder opensearch_start is given.
OPENSEARCH_HOME="$MEDWIRE_ROOT/.cache/opensearch/$OPENSEARCH_VERSION"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
VENV="$MEDWIRE_ROOT/.venv"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# wait_port HOST PORT SECONDS WHAT [LOGFILE]: wait until a TCP port accepts connections (a
# connection that hangs, to a wedged process, is given up after a second).
wait_port() {
  local host=$1 port=$2 secs=$3 what=$4 logf=${5:-} deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    timeout 1 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null && return 0
    sleep 0.2
  done
  [ -n "$logf" ] && [ -f "$logf" ] && tail -n 30 "$logf" >&2
  die "$what did not listen on $host:$port within ${secs}s${logf:+ (log: $logf)}"
}

# is_running PIDFILE: true when the pid in PIDFILE is alive.
is_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# start_detached PREFIX WHAT CMD...: run CMD in the background, in a session and process group of
# its own (stop_pidfile stops its children with it; a Ctrl-C meant for this script does not reach
# it), its pid in PREFIX.pid, its output appended to PREFIX.log after a line saying what started
# when: a restart keeps the log of the run before it, and with it the reason that run ended.
start_detached() {
  local prefix=$1 what=$2
  shift 2
  # A background job of a script is no process group leader, so setsid makes the new session in
  # place rather than in a fork: $! is the command's own pid.
  setsid bash -c 'echo "=== starting $0 (pid $$) at $(date -Is) ==="; exec "$@"' "$what" "$@" \
    >>"$prefix.log" 2>&1 </dev/null &
  echo $! >"$prefix.pid"
}

# stop_pidfile PIDFILE WHAT [SECONDS]: TERM, wait up to SECONDS (20), then KILL; then KILL what is
# left of the process group it led (a service's worker processes), even if it had already died.
stop_pidfile() {
  local pidf=$1 what=$2 secs=${3:-20} pid left deadline
  [ -f "$pidf" ] || return 0
  pid=$(cat "$pidf")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    deadline=$((SECONDS + secs))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$what did not stop within ${secs}s of SIGTERM, killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "stopped $what"
  fi
  # No new process gets a pid that is still some process group's id: a group of this id is the
  # one this process led.
  left=$(pgrep -d ' ' -g "$pid" || true)
  if [ -n "$left" ]; then
    log "killing what $what left running in its process group: $left"
    kill -9 $left 2>/dev/null || true
  fi
  rm -f "$pidf"
}

# --- Kafka (KRaft, single node) ---------------------------------------------------------
# kafka_start STATE_DIR PORT [ADVERTISED_PORT]: format storage on first use, start the
# broker+controller. ADVERTISED_PORT (default PORT) is the port clients are told to connect to:
# a test puts a proxy there to cut every client connection, not only the bootstrap one.
kafka_start() {
  local dir=$1 port=$2 cport=$(($2 + 1)) advertised=${3:-$2}
  mkdir -p "$dir/data"
  is_running "$dir/kafka.pid" && { log "kafka already running on :$port"; return 0; }
  [ -d "$KAFKA_LIBS" ] || die "Kafka jars missing in $KAFKA_LIBS: run scripts/setup"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$advertised
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
message.max.bytes=16777216
PROPS
  local cp="$KAFKA_LIBS/*" l4j="-Dlog4j.configuration=file:$MEDWIRE_ROOT/deploy/kafka/log4j.properties"
  if [ ! -f "$dir/data/meta.properties" ]; then
    timeout 120 java -cp "$cp" $l4j kafka.tools.StorageTool format -c "$dir/server.properties" \
      -t "$(timeout 60 java -cp "$cp" $l4j kafka.tools.StorageTool random-uuid)" >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; die "kafka storage format failed"; }
  fi
  start_detached "$dir/kafka" kafka \
    java -Xms256m -Xmx768m -XX:+UseG1GC -cp "$cp" $l4j kafka.Kafka "$dir/server.properties"
  wait_port 127.0.0.1 "$port" 90 "kafka" "$dir/kafka.log"
  log "kafka $KAFKA_VERSION up on 127.0.0.1:$port (log: $dir/kafka.log)"
}
kafka_stop() { stop_pidfile "$1/kafka.pid" kafka; }

# --- PostgreSQL -----------------------------------------------------------------------
# PostgreSQL refuses to run as root, so as root it runs as the Debian 'postgres' user.
_as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# pg_start STATE_DIR PORT: initdb on first use (trust auth on loopback), start, create db 'medwire'.
# MEDWIRE_PG_SHARED_BUFFERS sizes its cache (256MB; a million articles want gigabytes).
pg_start() {
  local dir=$1 port=$2
  [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL binaries not found (PG_BIN=$PG_BIN): run scripts/setup"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
    _as_pg "$PG_BIN/initdb" -D "$dir/pgdata" -U medwire --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  if ! _as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
    _as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=${MEDWIRE_PG_SHARED_BUFFERS:-256MB} -c max_connections=200" \
      >/dev/null || { tail -n 30 "$dir/postgres.log" >&2; die "postgres did not start"; }
  fi
  wait_port 127.0.0.1 "$port" 30 postgres "$dir/postgres.log"
  PGCONNECT_TIMEOUT=10 _as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U medwire -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='medwire'" | grep -q 1 \
    || PGCONNECT_TIMEOUT=10 _as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U medwire medwire
  log "postgres up on 127.0.0.1:$port (log: $dir/postgres.log)"
}
pg_stop() {
  local dir=$1
  [ -f "$dir/pgdata/PG_VERSION" ] || return 0
  _as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null 2>&1 && log "stopped postgres"
  return 0
}

# --- Prometheus -----------------------------------------------------------------------
# prometheus_start STATE_DIR PORT CONFIG
prometheus_start() {
  local dir=$1 port=$2 cfg=$3
  mkdir -p "$dir/prometheus"
  is_running "$dir/prometheus.pid" && return 0
  command -v prometheus >/dev/null || die "prometheus not installed: run scripts/setup"
  start_detached "$dir/prometheus" prometheus prometheus --config.file="$cfg" \
    --storage.tsdb.path="$dir/prometheus" --web.listen-address="127.0.0.1:$port"
  wait_port 127.0.0.1 "$port" 30 prometheus "$dir/prometheus.log"
  log "prometheus up on 127.0.0.1:$port"
}
prometheus_stop() { stop_pidfile "$1/prometheus.pid" prometheus; }

# --- OpenSearch (single node) -----------------------------------------------------------
# OpenSearch refuses to run as root, so as root it runs as an unprivileged system user
# (MEDWIRE_OPENSEARCH_USER, created when missing) that owns the node's config, data and logs.
OPENSEARCH_USER=${MEDWIRE_OPENSEARCH_USER:-medwire-opensearch}
_opensearch_user() {
  if [ "$(id -u)" != 0 ]; then id -un; return 0; fi
  if ! id "$OPENSEARCH_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$OPENSEARCH_USER" \
      || die "could not create the user $OPENSEARCH_USER that OpenSearch runs as (it refuses root)"
    log "created the system user $OPENSEARCH_USER for OpenSearch"
  fi
  echo "$OPENSEARCH_USER"
}

# opensearch_health PORT: the cluster's health when the node answers, yellow or better, in 3 s.
opensearch_health() {
  curl -fsS --connect-timeout 1 --max-time 3 \
    "http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null
}

# opensearch_start STATE_DIR PORT [TRANSPORT_PORT]: one node (single-node discovery, no security
# plugin in the assembly, bound to 127.0.0.1) with HTTP on PORT and transport on TRANSPORT_PORT
# (default PORT+1), its config, data and log in STATE_DIR; waits until the cluster is yellow.
# MEDWIRE_OPENSEARCH_HEAP sizes its heap (512m: enough for tests and a dev archive; a million
# articles want 2g or more), MEDWIRE_OPENSEARCH_START_TIMEOUT_S bounds the wait (120).
opensearch_start() {
  local dir=$1 port=$2 tport=${3:-$(($2 + 1))} heap=${MEDWIRE_OPENSEARCH_HEAP:-512m}
  local secs=${MEDWIRE_OPENSEARCH_START_TIMEOUT_S:-120} user java deadline
  is_running "$dir/opensearch.pid" && { log "opensearch already running on :$port"; return 0; }
  [ -f "$OPENSEARCH_HOME/lib/opensearch-$OPENSEARCH_VERSION.jar" ] \
    || die "OpenSearch $OPENSEARCH_VERSION jars missing in $OPENSEARCH_HOME: run scripts/setup"
  java=$(command -v java) || die "java not found: run scripts/setup"
  user=$(_opensearch_user)
  mkdir -p "$dir/config" "$dir/data" "$dir/tmp"
  cat >"$dir/config/opensearch.yml" <<YML
cluster.name: medwire
node.name: medwire-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $port
transport.port: $tport
path.data: $dir/data
path.logs: $dir
# A local node shares a developer's disk: do not turn indices read-only when it fills.
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: false
YML
  cp "$MEDWIRE_ROOT/deploy/opensearch/log4j2.properties" "$dir/config/log4j2.properties"
  if [ "$(id -u)" = 0 ]; then
    chown -R "$user:" "$dir/config" "$dir/data" "$dir/tmp"
    # Every folder above DIR and the jars must be open to that user (a home folder of mode 700
    # is not): say so rather than let the node die on a path it cannot reach.
    setpriv --reuid="$user" --regid="$user" --init-groups test -r "$OPENSEARCH_HOME/lib/opensearch-$OPENSEARCH_VERSION.jar" \
      || die "opensearch runs as $user, who cannot read $OPENSEARCH_HOME (a folder above it is closed to other users): keep the checkout where $user can read it"
    setpriv --reuid="$user" --regid="$user" --init-groups test -w "$dir/data" -a -w "$dir/tmp" \
      || die "opensearch runs as $user, who cannot reach $dir (a folder above it is closed to other users, e.g. mode 700): give it a state folder it can reach (MEDWIRE_DEV_STATE for scripts/dev)"
  fi
  # setpriv execs (no fork), so the pid file holds the JVM's own pid; the JVM flags are the
  # essentials of the distribution's config/jvm.options.
  local as_user=()
  [ "$(id -u)" = 0 ] && as_user=(setpriv --reuid="$user" --regid="$user" --init-groups)
  start_detached "$dir/opensearch" opensearch "${as_user[@]}" env -i PATH=/usr/bin:/bin \
    OPENSEARCH_PATH_CONF="$dir/config" \
    "$java" "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true -Dfile.encoding=UTF-8 \
    -Djna.nosys=true -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
    -Dio.netty.recycler.maxCapacityPerThread=0 -Dlog4j.shutdownHookEnabled=false \
    -Dlog4j2.disable.jmx=true -Djava.locale.providers=SPI,COMPAT -Djava.io.tmpdir="$dir/tmp" \
    -Dopensearch.path.home="$OPENSEARCH_HOME" -Dopensearch.path.conf="$dir/config" \
    -Dopensearch.distribution.type=tar -Dopensearch.bundled_jdk=false \
    -cp "$OPENSEARCH_HOME/lib/*" org.opensearch.bootstrap.OpenSearch
  deadline=$((SECONDS + secs))
  while [ $SECONDS -lt $deadline ]; do
    if opensearch_health "$port" >/dev/null; then
      log "opensearch $OPENSEARCH_VERSION up on 127.0.0.1:$port as $user, heap $heap (log: $dir/opensearch.log)"
      return 0
    fi
    if ! is_running "$dir/opensearch.pid"; then
      tail -n 30 "$dir/opensearch.log" >&2
      die "opensearch exited at start (log: $dir/opensearch.log)"
    fi
    sleep 0.5
  done
  tail -n 30 "$dir/opensearch.log" >&2
  die "opensearch did not answer yellow health on 127.0.0.1:$port within ${secs}s (log: $dir/opensearch.log); MEDWIRE_OPENSEARCH_START_TIMEOUT_S raises the wait"
}
opensearch_stop() { stop_pidfile "$1/opensearch.pid" opensearch 60; }
