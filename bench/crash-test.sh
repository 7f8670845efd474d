#!/usr/bin/env bash
# Crash test of the packaged server (not in CI): SMTP load from several parallel sessions, kill -9 of
# the JVM at random moments, restart, KILLS times in one run; then a clean restart, and the counts:
# messages accepted with 250 against the copies in the mailbox over IMAP (lost, duplicated), the
# messages IMAP SEARCH does not find, and the files left in the queue's directories.
#
# Usage: bash bench/crash-test.sh            (after mvn install; the jar of this checkout)
#   KILLS=10          kills in the run
#   SESSIONS=4        parallel SMTP sessions
#   UP_MIN_S=2 UP_MAX_S=8   seconds of load between a start and its kill (uniform random)
#   MAILPACK_JAR=...  another build's guice-modules/target/mailpack-server.jar (e.g. main's, for "before")
#   KEEP=1            keep the work directory
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
JAR=${MAILPACK_JAR:-$REPO/guice-modules/target/mailpack-server.jar}
KILLS=${KILLS:-10}
SESSIONS=${SESSIONS:-4}
UP_MIN_S=${UP_MIN_S:-2}
UP_MAX_S=${UP_MAX_S:-8}
USER_NAME=diego@diegonmarcos.com
PASSWORD=crash-test-password-0123456789
START_TIMEOUT_S=180
# the shipped JVM flags (the JVM_FLAGS line of bin/mailpack)
FLAGS=$(sed -n 's/^JVM_FLAGS=\${MAILPACK_JAVA_OPTS:-"\(.*\)"}$/\1/p' "$REPO/bin/mailpack")

[[ -f $JAR ]] || { echo "crash-test: no $JAR (mvn install -DskipTests first)" >&2; exit 1; }
W=$(mktemp -d /tmp/mailpack-crash.XXXXXX)
PID="" LOAD_PID="" DNS_PID=""
cleanup() {
  [[ -z $LOAD_PID ]] || kill "$LOAD_PID" 2>/dev/null || true
  [[ -z $PID ]] || kill -9 "$PID" 2>/dev/null || true
  [[ -z $DNS_PID ]] || kill "$DNS_PID" 2>/dev/null || true
  [[ -n ${KEEP:-} ]] && echo "work directory kept: $W" || rm -rf "$W"
}
trap cleanup EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

for v in SMTP SUB SMTPS IMAP IMAPS POP3S WEB DNS; do printf -v "PORT_$v" %s "$(free_port)"; done
mkdir -p "$W/home" "$W/load"
cp -r "$REPO/conf" "$W/home/"
# one client address sends everything: no port-25 rate limits (as bench/bench.sh)
sed -i -E '/<inbound>/,/<\/inbound>/ s/per(Minute|Hour|Day)="[0-9]+"/per\1="0"/g' "$W/home/conf/ratelimits.xml"
python3 "$BENCH_DIR/nxdomain-dns.py" "$PORT_DNS" >/dev/null 2>&1 &
DNS_PID=$!

START=0
start_server() {
  START=$((START + 1))
  : >"$W/start-$START.log"
  # shellcheck disable=SC2086 # the flags are a list
  (cd "$W/home" && exec env MAILPACK_PORTS=unprivileged MAILPACK_BIND_ADDRESS=127.0.0.1 \
    MAILPACK_SMTP_PORT="$PORT_SMTP" MAILPACK_SUBMISSION_PORT="$PORT_SUB" MAILPACK_SMTPS_PORT="$PORT_SMTPS" \
    MAILPACK_IMAP_PORT="$PORT_IMAP" MAILPACK_IMAPS_PORT="$PORT_IMAPS" MAILPACK_POP3S_PORT="$PORT_POP3S" \
    MAILPACK_WEBADMIN_PORT="$PORT_WEB" MAILPACK_DNS_SERVERS="127.0.0.1:$PORT_DNS" \
    java $FLAGS -Dworking.directory="$W/home" -Dlogback.configurationFile="$W/home/conf/logback.xml" \
    -jar "$JAR" --home "$W/home") >"$W/start-$START.log" 2>&1 </dev/null &
  PID=$!
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until grep -q 'mailpack is running' "$W/start-$START.log"; do
    kill -0 "$PID" 2>/dev/null || { tail -30 "$W/start-$START.log" >&2; die "start $START: the server exited"; }
    ((SECONDS < deadline)) || die "start $START: not up within $START_TIMEOUT_S s"
    sleep 0.1
  done
}
webadmin() {
  curl -s --max-time 20 -H "Authorization: Bearer $(cat "$W/home/var/webadmin/admin.token")" "$@"
}
blob_files() { find "$W/home/var/store/activemq/blob-transfer" -type f 2>/dev/null | wc -l; }
spool_size() { webadmin "http://127.0.0.1:$PORT_WEB/mailQueues/spool" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])'; }

log "work directory $W, jar $JAR, $KILLS kills, $SESSIONS SMTP sessions"
start_server
code=$(webadmin -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
  -d "{\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$PORT_WEB/users/$USER_NAME")
[[ $code == 204 ]] || die "creating $USER_NAME answered HTTP $code"

python3 "$BENCH_DIR/crash-test.py" load 127.0.0.1 "$PORT_SMTP" "$SESSIONS" "$W/load" &
LOAD_PID=$!
for ((k = 1; k <= KILLS; k++)); do
  up=$(python3 -c "import random; print(round(random.uniform($UP_MIN_S, $UP_MAX_S), 2))")
  sleep "$up"
  kill -9 "$PID"
  wait "$PID" 2>/dev/null || true
  log "kill $k of $KILLS after ${up}s of load: $(wc -l <"$W/load/accepted") accepted so far, $(blob_files) files in blob-transfer"
  start_server
done
sleep "$UP_MIN_S"
touch "$W/load/stop"
wait "$LOAD_PID" || true
LOAD_PID=""

# the final clean restart: a graceful stop, a start, the queue drained
kill -TERM "$PID"
wait "$PID" 2>/dev/null || true
start_server
deadline=$((SECONDS + 300))
until [[ $(spool_size) == 0 ]]; do
  ((SECONDS < deadline)) || die "the spool queue did not drain within 300 s"
  sleep 1
done
sleep 6 # one search index commit
result=$(python3 "$BENCH_DIR/crash-test.py" check 127.0.0.1 "$PORT_IMAPS" "$USER_NAME" "$PASSWORD" "$W/load")
left=$(blob_files)
kill -TERM "$PID"
wait "$PID" 2>/dev/null || true
PID=""
left_after_stop=$(blob_files)
echo "crash-test: kills=$KILLS sessions=$SESSIONS $result blob_files_after_restart=$left blob_files_after_stop=$left_after_stop"
