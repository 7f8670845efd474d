#!/usr/bin/env bash
# bench/scan.sh: delivered messages per second with the scanning chain off, with rspamd, and with
# rspamd + clamd, in one run on the same machine. Prints the figures and the ratios and writes
# bench/SCAN-RESULTS.md.
#
#   bash bench/scan.sh        (from any directory; rspamd, redis-server, clamav-daemon, postfix
#                              (smtp-source) and curl must be installed: see bin/mailpack test)
#
# Environment (optional): BENCH_MESSAGES=2000, BENCH_ROUNDS=1 (rounds of the three modes, interleaved),
# BENCH_KEEP=1 (keep the temporary directory), MAILPACK_JAVA_OPTS (default: the JVM_FLAGS of bin/mailpack).
#
# The load is bench/bench.sh's: smtp-source, 20 sessions, 4 KiB messages, one local recipient; a mode's
# figure is messages / (load start -> last message counted in INBOX + Spam (junk) over IMAP). Every daemon is a
# child of this script on 127.0.0.1 and free high ports; the EXIT trap stops them (by PID).
# Note: smtp-source connects from 127.0.0.1, and rspamd skips its network checks (SPF, DKIM, DMARC,
# reverse DNS) for a loopback client, so the rspamd figure is the cost of the content scan and the
# round trip, not of DNS lookups (which rspamd makes asynchronously, but which lengthen each session).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
JAR=$REPO/guice-modules/target/mailpack-server.jar
RESULTS_FILE=$BENCH_DIR/SCAN-RESULTS.md
MESSAGES=${BENCH_MESSAGES:-2000}
ROUNDS=${BENCH_ROUNDS:-1}
SESSIONS=20
MSG_BYTES=4096
SENDER=a@example.org
RCPT=diego@diegonmarcos.com
PASSWORD=bench-password-0123456789
HS_CACHE=/var/tmp/mailpack-rspamd-cache
DELIVERY_TIMEOUT_S=900

TMP=""
PIDS=()
MAILPACK_PID=""

log() { printf '[scan-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.1f", (ms > 0 ? n * 1000 / ms : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
cost() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * (1 - a / b); else printf "n/a" }'; }

stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  [[ -n $MAILPACK_PID ]] && stop_pid "$MAILPACK_PID"
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ -n $TMP && -d $TMP ]]; then
    if [[ -n ${BENCH_KEEP:-} ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  fi
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    [[ -z $(ss -Htan "( sport = :$p )") ]] && { echo "$p"; return; }
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# cpu_ms PID...: CPU time (user + system) used so far by these processes and their descendants, in ms.
# Steadier than wall time on a machine shared with other work.
CLK_TCK=$(getconf CLK_TCK)
descendants() { local p; for p in $(pgrep -P "$1" || true); do echo "$p"; descendants "$p"; done; }
cpu_ms() {
  local p ticks=0 t
  for p in "$@" $(for q in "$@"; do descendants "$q"; done); do
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
    ticks=$((ticks + ${t:-0}))
  done
  echo $((ticks * 1000 / CLK_TCK))
}

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$(($(now_ms) + limit * 1000))
  until "$@"; do
    (($(now_ms) < deadline)) || die "$what not ready within $limit s"
    sleep 0.1
  done
}

for bin in /usr/bin/rspamd /usr/bin/redis-server /usr/sbin/clamd /usr/sbin/smtp-source /usr/bin/curl; do
  [[ -x $bin ]] || die "$bin missing: apt-get install -y --no-install-recommends rspamd redis-server clamav-daemon postfix curl"
done
if [[ ! -f $JAR ]]; then
  log "building mailpack ($JAR missing)"
  (cd "$REPO" && mvn -B -q -o -pl guice-modules -am package -DskipTests)
fi
JVM_FLAGS=${MAILPACK_JAVA_OPTS:-$(sed -n 's/^JVM_FLAGS=.*:-"\(.*\)"}[[:space:]]*$/\1/p' "$REPO/bin/mailpack")}
[[ -n $JVM_FLAGS ]] || die "could not read JVM_FLAGS from bin/mailpack"
TMP=$(mktemp -d /tmp/mailpack-scan-bench.XXXXXX)

# --- peers -------------------------------------------------------------------------------------
REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
PIDS+=($!)

# No Internet here: a DNS server that answers NXDOMAIN at once, for mailpack's SPF/DKIM/DMARC lookups at
# DATA and for rspamd (otherwise every message waits for resolver timeouts, whatever the chain).
DNS_PORT=$(free_port)
/usr/bin/python3 "$BENCH_DIR/nxdomain-dns.py" "$DNS_PORT" >"$TMP/dns.log" 2>&1 &
PIDS+=($!)

RSPAMD_PORT=$(free_port)
RSPAMD_CONTROLLER_PORT=$(free_port)
R=$TMP/rspamd
mkdir -p "$R/local.d" "$R/override.d" "$R/db" "$R/run" "$HS_CACHE"
for m in fuzzy_check rbl phishing whitelist asn multimap surbl emails url_redirector rspamd_update neural \
  reputation greylist ratelimit history_redis replies hfilter mx_check dcc external_services antivirus; do
  echo 'enabled = false;' >"$R/local.d/$m.conf"
done
cat >"$R/local.d/options.inc" <<EOF
hs_cache_dir = "$HS_CACHE/";
dns { nameserver = ["127.0.0.1:$DNS_PORT"]; timeout = 0.3s; retransmits = 1; }
EOF
echo "servers = \"127.0.0.1:$REDIS_PORT\";" >"$R/local.d/redis.conf"
echo "bind_socket = \"127.0.0.1:$RSPAMD_PORT\";" >"$R/override.d/worker-normal.inc"
echo "bind_socket = \"127.0.0.1:$RSPAMD_CONTROLLER_PORT\";" >"$R/override.d/worker-controller.inc"
echo 'count = -1;' >"$R/override.d/worker-proxy.inc"
printf 'type = "file";\nfilename = "%s/rspamd.log";\nlevel = "warning";\n' "$R" >"$R/override.d/logging.inc"
rspamd_args=(-f -c /etc/rspamd/rspamd.conf --var "LOCAL_CONFDIR=$R" --var "DBDIR=$R/db" --var "RUNDIR=$R/run" --var "LOGDIR=$R")
[[ $(id -u) == 0 ]] && rspamd_args+=(-i -u root -g root)
rspamd "${rspamd_args[@]}" >"$R/rspamd.out" 2>&1 &
RSPAMD_PID=$!
PIDS+=($RSPAMD_PID)

CLAMD_PORT=$(free_port)
C=$TMP/clamd
mkdir -p "$C/db"
echo "Eicar-Test-Signature:0:*:$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" >"$C/db/test.ndb"
cat >"$C/clamd.conf" <<EOF
Foreground yes
TCPSocket $CLAMD_PORT
TCPAddr 127.0.0.1
DatabaseDirectory $C/db
LogFile $C/clamd.log
PidFile $C/clamd.pid
MaxThreads 10
EOF
clamd -c "$C/clamd.conf" >"$C/clamd.out" 2>&1 &
CLAMD_PID=$!
PIDS+=($CLAMD_PID)

log "waiting for rspamd (a cold start compiles the TLD list: 20-30 s), redis and clamd"
wait_until 120 rspamd curl -sf -o /dev/null "http://127.0.0.1:$RSPAMD_PORT/ping"
wait_until 30 clamd port_open "$CLAMD_PORT"
wait_until 30 redis port_open "$REDIS_PORT"

# --- one mode ----------------------------------------------------------------------------------
imap_count() { # messages in INBOX + Spam (the junk folder)
  local total=0 n f
  for f in INBOX Spam; do
    n=$(curl -sk --max-time 10 "imaps://127.0.0.1:$IMAPS_PORT/$f" -u "$RCPT:$PASSWORD" -X "STATUS $f (MESSAGES)" 2>/dev/null |
      sed -n 's/.*MESSAGES \([0-9][0-9]*\).*/\1/p' || true)
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

declare -A RESULT_MS=() JVM_CPU=() RSPAMD_CPU=() CLAMD_CPU=()
run_mode() { # run_mode NAME [VAR=VALUE...]
  local name=$1 w=$TMP/mp-$1-$2 start end n code token
  shift 2
  mkdir -p "$w"
  cp -r "$REPO/conf" "$w/"
  # one client address sends everything: port-25 rate limits off (as bench/bench.sh does)
  if [[ -f $w/conf/ratelimits.xml ]]; then
    sed -i -E '/<inbound>/,/<\/inbound>/ s/per(Minute|Hour|Day)="[0-9]+"/per\1="0"/g' "$w/conf/ratelimits.xml"
  fi
  SMTP_PORT=$(free_port); IMAPS_PORT=$(free_port); WEB_PORT=$(free_port)
  # shellcheck disable=SC2086 # JVM_FLAGS is a space-separated list on purpose
  (cd "$w" && exec env MAILPACK_PORTS=unprivileged MAILPACK_BIND_ADDRESS=127.0.0.1 MAILPACK_SMTP_PORT="$SMTP_PORT" \
    MAILPACK_SUBMISSION_PORT="$(free_port)" MAILPACK_SMTPS_PORT="$(free_port)" MAILPACK_IMAP_PORT="$(free_port)" \
    MAILPACK_IMAPS_PORT="$IMAPS_PORT" MAILPACK_POP3S_PORT="$(free_port)" MAILPACK_WEBADMIN_PORT="$WEB_PORT" MAILPACK_DNS_SERVERS="127.0.0.1:$DNS_PORT" "$@" \
    java $JVM_FLAGS -Dworking.directory="$w" -Dlogback.configurationFile="$w/conf/logback.xml" -jar "$JAR" --home "$w") \
    >"$w/out.log" 2>&1 </dev/null &
  MAILPACK_PID=$!
  wait_until 120 "mailpack ($name)" grep -q 'mailpack is running' "$w/out.log"
  token=$(cat "$w/var/webadmin/admin.token")
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$WEB_PORT/users/$RCPT")
  [[ $code == 204 ]] || die "creating $RCPT answered $code"
  log "$name: sending $MESSAGES x $MSG_BYTES bytes over $SESSIONS sessions"
  local jvm0 rspamd0 clamd0
  jvm0=$(cpu_ms "$MAILPACK_PID"); rspamd0=$(cpu_ms "$RSPAMD_PID"); clamd0=$(cpu_ms "$CLAMD_PID")
  start=$(now_ms)
  /usr/sbin/smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$MSG_BYTES" -f "$SENDER" -t "$RCPT" "127.0.0.1:$SMTP_PORT" >"$w/smtp-source.log" 2>&1 ||
    die "$name: smtp-source failed: $(head -n 3 "$w/smtp-source.log")"
  [[ -s $w/smtp-source.log ]] && die "$name: smtp-source reported errors: $(head -n 3 "$w/smtp-source.log")"
  while n=$(imap_count); ((n < MESSAGES)); do
    (($(now_ms) - start < DELIVERY_TIMEOUT_S * 1000)) || die "$name: only $n of $MESSAGES delivered"
    sleep 0.25
  done
  end=$(now_ms)
  RESULT_MS[$name]=$((${RESULT_MS[$name]:-0} + end - start))
  JVM_CPU[$name]=$((${JVM_CPU[$name]:-0} + $(cpu_ms "$MAILPACK_PID") - jvm0))
  RSPAMD_CPU[$name]=$((${RSPAMD_CPU[$name]:-0} + $(cpu_ms "$RSPAMD_PID") - rspamd0))
  CLAMD_CPU[$name]=$((${CLAMD_CPU[$name]:-0} + $(cpu_ms "$CLAMD_PID") - clamd0))
  log "$name: $MESSAGES delivered in $((end - start)) ms ($(rate "$MESSAGES" $((end - start))) msg/s)"
  stop_pid "$MAILPACK_PID"
  MAILPACK_PID=""
  rm -rf "$w"
}

for ((round = 1; round <= ROUNDS; round++)); do
  run_mode off "$round"
  run_mode rspamd "$round" MAILPACK_RSPAMD_URL="http://127.0.0.1:$RSPAMD_PORT"
  run_mode rspamd+clamd "$round" MAILPACK_RSPAMD_URL="http://127.0.0.1:$RSPAMD_PORT" MAILPACK_CLAMD_ADDRESS="127.0.0.1:$CLAMD_PORT"
done

TOTAL=$((MESSAGES * ROUNDS))
OFF=$(rate "$TOTAL" "${RESULT_MS[off]}")
RS=$(rate "$TOTAL" "${RESULT_MS[rspamd]}")
RC=$(rate "$TOTAL" "${RESULT_MS[rspamd+clamd]}")
per_msg() { awk -v ms="$1" -v n="$TOTAL" 'BEGIN { printf "%.2f", ms / n }'; }
cpu_row() { # cpu_row MODE: JVM, rspamd, clamd and total CPU ms per message
  local total=$((${JVM_CPU[$1]} + ${RSPAMD_CPU[$1]} + ${CLAMD_CPU[$1]}))
  echo "| $1 | $(per_msg "${JVM_CPU[$1]}") | $(per_msg "${RSPAMD_CPU[$1]}") | $(per_msg "${CLAMD_CPU[$1]}") | $(per_msg "$total") |"
}
CPU_OFF=$((${JVM_CPU[off]} + ${RSPAMD_CPU[off]} + ${CLAMD_CPU[off]}))
CPU_RS=$((${JVM_CPU[rspamd]} + ${RSPAMD_CPU[rspamd]} + ${CLAMD_CPU[rspamd]}))
CPU_RC=$((${JVM_CPU[rspamd+clamd]} + ${RSPAMD_CPU[rspamd+clamd]} + ${CLAMD_CPU[rspamd+clamd]}))
RSPAMD_SCANNED=$(curl -s "http://127.0.0.1:$RSPAMD_CONTROLLER_PORT/stat" | sed -n 's/.*"scanned":\([0-9]*\).*/\1/p')
report=$(cat <<EOF
# Scanning chain benchmark (bench/scan.sh)

$(date -u +%F), $(nproc) cores, $(uname -r); $MESSAGES x $MSG_BYTES-byte messages over $SESSIONS smtp-source sessions, $ROUNDS round(s) of the three modes; JVM flags: \`$JVM_FLAGS\`.
rspamd $(rspamd --version 2>/dev/null | head -n 1 | awk '{print $NF}') (network modules off, Bayes in Redis), clamd $(clamd --version | cut -d/ -f1 | awk '{print $2}') with one custom signature; rspamd scanned $RSPAMD_SCANNED messages in this run.

| chain | delivered msg/s | vs off | throughput cost |
|---|---|---|---|
| off | $OFF | 1.00 | - |
| rspamd | $RS | $(ratio "$RS" "$OFF") | $(cost "$RS" "$OFF") % |
| rspamd + clamd | $RC | $(ratio "$RC" "$OFF") | $(cost "$RC" "$OFF") % |

CPU time per delivered message (ms; user + system of each daemon's process tree during the load): the
steadier figure when other work shares the machine. Throughput implied by CPU alone: rspamd
$(ratio "$CPU_OFF" "$CPU_RS") x off, rspamd + clamd $(ratio "$CPU_OFF" "$CPU_RC") x off.

| chain | mailpack JVM | rspamd | clamd | total |
|---|---|---|---|---|
$(cpu_row off)
$(cpu_row rspamd)
$(cpu_row rspamd+clamd)

Load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg).

Target: rspamd costs at most 25 % of throughput. The client is 127.0.0.1, so rspamd skips its network
checks (SPF, DKIM, DMARC, reverse DNS), and every DNS query (mailpack's SPF/DMARC check at DATA, rspamd) gets
an immediate NXDOMAIN from bench/nxdomain-dns.py; clamd has one signature, not the official databases (with
them each scan costs more CPU, and clamd needs ~1.2 GiB). All on one shared 2-core machine: expect
+-10 % between runs.
EOF
)
echo "$report"
echo "$report" >"$RESULTS_FILE"
log "written $RESULTS_FILE"
