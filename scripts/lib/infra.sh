# Shared by scripts/setup, scripts/dev and scripts/test: where things live and how the
# infrastructure (Kafka from Maven Central jars, PostgreSQL and Prometheus from Debian) is
# installed, started and stopped as plain local processes. Source it; do not run it.

MEDWIRE_ROOT=${MEDWIRE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$MEDWIRE_ROOT/deploy/kafka/pom.xml")
KAFKA_LIBS="$MEDWIRE_ROOT/.cache/kafka/$KAFKA_VERSION/libs"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
VENV="$MEDWIRE_ROOT/.venv"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# wait_port HOST PORT SECONDS WHAT [LOGFILE]: wait until a TCP port accepts connections.
wait_port() {
  local host=$1 port=$2 secs=$3 what=$4 logf=${5:-}
  for _ in $(seq 1 $((secs * 5))); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  [ -n "$logf" ] && [ -f "$logf" ] && tail -n 30 "$logf" >&2
  die "$what did not listen on $host:$port within ${secs}s${logf:+ (log: $logf)}"
}

# is_running PIDFILE: true when the pid in PIDFILE is alive.
is_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile PIDFILE WHAT: TERM, wait up to 20 s, then KILL.
stop_pidfile() {
  local pidf=$1 what=$2 pid
  is_running "$pidf" || { rm -f "$pidf"; return 0; }
  pid=$(cat "$pidf")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && { log "$what did not stop, killing"; kill -9 "$pid"; }
  rm -f "$pidf"
  log "stopped $what"
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
    java -cp "$cp" $l4j kafka.tools.StorageTool format -c "$dir/server.properties" \
      -t "$(java -cp "$cp" $l4j kafka.tools.StorageTool random-uuid)" >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; die "kafka storage format failed"; }
  fi
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -cp "$cp" $l4j kafka.Kafka "$dir/server.properties" \
    >"$dir/kafka.log" 2>&1 &
  echo $! >"$dir/kafka.pid"
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
  _as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U medwire -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='medwire'" | grep -q 1 \
    || _as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U medwire medwire
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
  nohup prometheus --config.file="$cfg" --storage.tsdb.path="$dir/prometheus" \
    --web.listen-address="127.0.0.1:$port" >"$dir/prometheus.log" 2>&1 &
  echo $! >"$dir/prometheus.pid"
  wait_port 127.0.0.1 "$port" 30 prometheus "$dir/prometheus.log"
  log "prometheus up on 127.0.0.1:$port"
}
prometheus_stop() { stop_pidfile "$1/prometheus.pid" prometheus; }
