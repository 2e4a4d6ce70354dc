#!/usr/bin/env bash
# Ingest benchmark: LightTrace against the real SDK envelope corpus, on this machine.
#
# Builds nothing: expects build/lighttrace and build/lighttrace-loadgen (BUILD=dir to change).
# Runs, each against a fresh server on a temporary data dir and a free loopback port:
#   1. closed loop, as fast as possible, gzip bodies, full pipeline (--processed-metric)
#   2. the same against `lighttrace serve --discard` (the HTTP + decode ceiling)
#   3. open loop at half of (1)'s accepted/s, against the server of (1), for latency
#   4. open loop at VISIBLE_RATE/s against a fresh server: how long after its 200 an event is
#      readable through the API (lighttrace_pipeline_visible_seconds)
#   5. run 3 again against a fresh server whose data dir (the store) is on STORE_DEVICE_DIR
#      while its spool stays in the work dir (`serve --spool`): the ack latency when the
#      store's writes do not share the spool's disk. On a machine with one disk, tmpfs
#      (/dev/shm, the default) stands in for the second one. STORE_DEVICE_DIR= skips it.
# and prints a markdown table (plus the machine) on stdout. Raw loadgen JSON and server logs stay
# in the work dir when KEEP=1.
#
# Environment: DURATION (10), WARMUP (1), CONNECTIONS (64), UNIQUE (200000), VISIBLE_RATE
# (2000), HALF_RATE (run 3's rate; default half of run 1's, set it to compare builds at one
# rate), STORE_DEVICE_DIR (/dev/shm), FIXTURES (tests/fixtures/corpus), BUILD (build), KEEP (0).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SERVER=$BUILD/lighttrace
LOADGEN=$BUILD/lighttrace-loadgen
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-64}
UNIQUE=${UNIQUE:-200000}
VISIBLE_RATE=${VISIBLE_RATE:-2000}
FIXTURES=${FIXTURES:-$ROOT/tests/fixtures/corpus}
KEEP=${KEEP:-0}
STORE_DEVICE_DIR=${STORE_DEVICE_DIR-/dev/shm}

for bin in "$SERVER" "$LOADGEN"; do
    [[ -x $bin ]] || { echo "missing $bin (build it first)" >&2; exit 1; }
done
[[ -d $FIXTURES ]] || { echo "missing fixtures dir $FIXTURES" >&2; exit 1; }

WORK=$(mktemp -d /tmp/lighttrace-bench.XXXXXX)
SERVER_PIDS=()

cleanup() {
    for pid in "${SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${SERVER_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    [[ -n ${STORE_WORK:-} ]] && rm -rf "$STORE_WORK"
    if [[ $KEEP == 1 ]]; then
        echo "work dir kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

log() { echo "[bench] $*" >&2; }

# A loopback port nobody listens on.
free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

# start_server NAME [serve flags...]: sets PORT, PID, DSN. DATA_DIR overrides the data dir.
start_server() {
    local name=$1
    shift
    local data=${DATA_DIR:-$WORK/$name-data}
    mkdir -p "$data"
    PORT=$(free_port)
    DSN=$("$SERVER" project create --org bench --project bench --data "$data" \
              --url "http://127.0.0.1:$PORT" | grep -E '^https?://' | tail -n 1)
    [[ -n $DSN ]] || { echo "project create printed no DSN" >&2; exit 1; }
    "$SERVER" serve --listen "127.0.0.1:$PORT" --data "$data" "$@" >"$WORK/$name.log" 2>&1 &
    PID=$!
    SERVER_PIDS+=("$PID")
    for _ in $(seq 1 300); do
        if grep -q "listening on http://127.0.0.1:$PORT" "$WORK/$name.log"; then
            log "$name: pid $PID on port $PORT"
            return 0
        fi
        if ! kill -0 "$PID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "server $name did not start; its output:" >&2
    cat "$WORK/$name.log" >&2
    exit 1
}

stop_server() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

rss_mb() {  # rss_mb PID VmRSS|VmHWM
    awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# run_loadgen NAME PORT DSN [loadgen flags...]: JSON in $WORK/NAME.json
run_loadgen() {
    local name=$1 port=$2 dsn=$3
    shift 3
    log "$name: lighttrace-loadgen $*"
    if ! "$LOADGEN" --target "http://127.0.0.1:$port" --dsn "$dsn" --fixtures "$FIXTURES" \
            --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" "$@" \
            >"$WORK/$name.json" 2>"$WORK/$name.err"; then
        echo "loadgen $name failed:" >&2
        cat "$WORK/$name.err" >&2
        exit 1
    fi
    cat "$WORK/$name.err" >&2
}

# jget FILE KEY: a scalar from the loadgen's one-line JSON (keys are unique).
jget() { { grep -o "\"$2\":[^,}]*" "$1" || true; } | head -n 1 | cut -d: -f2- | tr -d '"'; }
jerrors() { { grep -o '"errors":{[^}]*}' "$1" || true; } | cut -d: -f2- | tr -d '"{}'; }
errors_or_none() {
    local e
    e=$(jerrors "$1")
    echo "${e:-none}"
}

# --- 1. closed loop, full pipeline --------------------------------------------------------
start_server full
FULL_PID=$PID FULL_PORT=$PORT FULL_DSN=$DSN
sleep 2
RSS_IDLE=$(rss_mb "$FULL_PID" VmRSS)
run_loadgen max "$FULL_PORT" "$FULL_DSN" --gzip --unique "$UNIQUE" --processed-metric

# --- 2. closed loop, discard --------------------------------------------------------------
start_server discard --discard
DISCARD_PID=$PID
sleep 1
DISCARD_RSS_IDLE=$(rss_mb "$DISCARD_PID" VmRSS)
# Event ids do not matter to a server that keeps nothing: fewer bodies, same size mix.
run_loadgen discard "$PORT" "$DSN" --gzip --unique 20000
DISCARD_RSS_PEAK=$(rss_mb "$DISCARD_PID" VmHWM)
stop_server "$DISCARD_PID"

# --- 3. open loop at half of (1) ----------------------------------------------------------
MAX_RATE=$(jget "$WORK/max.json" accepted_per_s)
HALF=${HALF_RATE:-$(awk -v r="$MAX_RATE" 'BEGIN { h = int(r / 2); print (h < 1 ? 1 : h) }')}
HALF_UNIQUE=$(awk -v h="$HALF" -v d="$DURATION" -v w="$WARMUP" -v u="$UNIQUE" \
    'BEGIN { n = int(h * (d + w) * 1.05) + 1000; print (n < u ? n : u) }')
run_loadgen half "$FULL_PORT" "$FULL_DSN" --gzip --unique "$HALF_UNIQUE" --rate "$HALF"
RSS_PEAK=$(rss_mb "$FULL_PID" VmHWM)
stop_server "$FULL_PID"

# --- 4. time to visible at a sustained rate -----------------------------------------------
start_server visible
VISIBLE_PID=$PID
sleep 1
VISIBLE_UNIQUE=$(awk -v r="$VISIBLE_RATE" -v d="$DURATION" -v w="$WARMUP" \
    'BEGIN { print int(r * (d + w) * 1.05) + 1000 }')
run_loadgen visible "$PORT" "$DSN" --gzip --unique "$VISIBLE_UNIQUE" --rate "$VISIBLE_RATE" \
    --processed-metric
# Upper bound of the histogram bucket holding quantile $1 of acknowledged -> visible times.
visible_quantile() {
    curl -s "http://127.0.0.1:$PORT/metrics" | awk -v q="$1" '
        /^lighttrace_pipeline_visible_seconds_bucket/ {
            match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5)
            n++; bound[n] = le; count[n] = $NF }
        END { total = count[n]; for (i = 1; i <= n; i++) if (count[i] >= q * total) { print bound[i] " s"; exit } }'
}
VISIBLE_P50=$(visible_quantile 0.5)
VISIBLE_P99=$(visible_quantile 0.99)
stop_server "$VISIBLE_PID"

# --- 5. run 3 with the store on another device -------------------------------------------
if [[ -n $STORE_DEVICE_DIR ]]; then
    STORE_WORK=$(mktemp -d "$STORE_DEVICE_DIR/lighttrace-bench-store.XXXXXX")
    DATA_DIR=$STORE_WORK/data start_server split --spool "$WORK/split-spool"
    SPLIT_PID=$PID
    sleep 1
    run_loadgen split "$PORT" "$DSN" --gzip --unique "$HALF_UNIQUE" --rate "$HALF"
    stop_server "$SPLIT_PID"
fi

# --- report -------------------------------------------------------------------------------
row() {  # row LABEL FILE
    local f=$2
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" \
        "$(jget "$f" requests)" "$(jget "$f" accepted_per_s)" "$(jget "$f" processed_per_s)" \
        "$(jget "$f" p50)" "$(jget "$f" p90)" "$(jget "$f" p99)" "$(jget "$f" p999)" \
        "$(jget "$f" max)" "$(errors_or_none "$f")" "$(jget "$f" body_bytes_avg)" \
        "$(jget "$f" loadgen_cpu_pct)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "null") printf "%.2f", a / b; else print "n/a" }'; }

MAX_ACCEPTED=$(jget "$WORK/max.json" accepted_per_s)
MAX_PROCESSED=$(jget "$WORK/max.json" processed_per_s)
DISCARD_ACCEPTED=$(jget "$WORK/discard.json" accepted_per_s)
MEM_GB=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
CPU_MODEL=$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')

cat <<EOF
## Ingest benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(nproc) CPUs ($CPU_MODEL), ${MEM_GB} GiB RAM, Linux $(uname -r); server and load
generator on the same machine, loopback. Corpus: $FIXTURES (error envelopes), gzip bodies,
$CONNECTIONS connections, ${WARMUP} s warmup + ${DURATION} s measured per run.

| run | requests | accepted/s | processed/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | body bytes | loadgen CPU % |
|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
row "1. closed loop, full pipeline" "$WORK/max.json"
row "2. closed loop, serve --discard" "$WORK/discard.json"
row "3. open loop at $HALF/s (half of 1)" "$WORK/half.json"
row "4. open loop at $VISIBLE_RATE/s" "$WORK/visible.json"
if [[ -n $STORE_DEVICE_DIR ]]; then
    row "5. as 3, store on $STORE_DEVICE_DIR, spool on disk" "$WORK/split.json"
fi
cat <<EOF

- accepted / discard ceiling: $(ratio "$MAX_ACCEPTED" "$DISCARD_ACCEPTED")
- processed / discard ceiling: $(ratio "$MAX_PROCESSED" "$DISCARD_ACCEPTED")
- processed caught up within 30 s after run 1: $(jget "$WORK/max.json" processed_caught_up)
- server RSS (full pipeline): idle ${RSS_IDLE} MB, peak (VmHWM over runs 1 and 3) ${RSS_PEAK} MB
- server RSS (--discard): idle ${DISCARD_RSS_IDLE} MB, peak ${DISCARD_RSS_PEAK} MB
- run 1 reused event ids (more requests than --unique bodies): $(jget "$WORK/max.json" bodies_reused)
- run 4, acknowledged -> readable through the API (histogram bucket bounds): p50 <= ${VISIBLE_P50}, p99 <= ${VISIBLE_P99}
- run 3 latency counts from each request's scheduled send time (no coordinated omission);
  requests still queued in the generator at the end (server behind schedule): $(jget "$WORK/half.json" not_sent_at_end)
EOF
