#!/usr/bin/env bash
# bench/imap-stress.sh: concurrent IMAP load (bench/imap-stress.py) against mailpack and a private
# Dovecot on the same machine in one run, side by side: commands/s, p50/p99 latency per command,
# seconds in which nothing completed, errors, and the mailpack/Dovecot ratios.
#
#   bash bench/imap-stress.sh [--clients N] [--seconds S] [--smtp-rate R] [--warmup S] [--fetch-messages N]
#
#   --clients N         concurrent IMAP sessions of the contended run (default 10) over 5 users
#   --seconds S         length of each run (default 60)
#   --smtp-rate R       messages per second delivered while the contended run works (default 5; 0: none).
#                       mailpack: SMTP to its port-25 listener; Dovecot: LMTP (no MTA in front of it)
#   --warmup S          an untimed run of S seconds first, on a user of its own (default 10; 0: none)
#   --fetch-messages N  then time FETCH 1:* (FLAGS BODY.PEEK[]) of an N-message INBOX (default 2000; 0: skip)
#
# After the contended run, the same with one client alone (another user, no deliveries): the
# uncontended latency.
# Environment (optional): BENCH_KEEP=1 keeps the temporary directory (logs, conf, stores);
# MAILPACK_JAVA_OPTS as for bin/mailpack (default: the JVM_FLAGS line of bin/mailpack).
#
# Needs root (Dovecot starts as root and drops to its users, as in production), java 17, python3,
# curl, openssl, the Debian packages dovecot-imapd and dovecot-lmtpd (installed when missing), and
# guice-modules/target/mailpack-server.jar of this checkout (built with `mvn install` if missing).
# Everything runs as children of this script in one temporary directory, on random free ports bound
# to 127.0.0.1; the EXIT trap stops each daemon by PID and removes the directory. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
JAR=$REPO/guice-modules/target/mailpack-server.jar

CLIENTS=10
SECONDS_PER_RUN=60
SMTP_RATE=5
WARMUP_S=10
FETCH_MESSAGES=2000
while (($#)); do
  case $1 in
    --clients) CLIENTS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --smtp-rate) SMTP_RATE=$2; shift 2 ;;
    --warmup) WARMUP_S=$2; shift 2 ;;
    --fetch-messages) FETCH_MESSAGES=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "imap-stress.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ $CLIENTS =~ ^[1-9][0-9]*$ ]] || { echo "imap-stress.sh: --clients wants a positive integer" >&2; exit 2; }
[[ $SECONDS_PER_RUN =~ ^[1-9][0-9]*$ ]] || { echo "imap-stress.sh: --seconds wants a positive integer" >&2; exit 2; }
[[ $WARMUP_S =~ ^[0-9]+$ ]] || { echo "imap-stress.sh: --warmup wants a number of seconds" >&2; exit 2; }
[[ $FETCH_MESSAGES =~ ^[0-9]+$ ]] || { echo "imap-stress.sh: --fetch-messages wants a number" >&2; exit 2; }
[[ $SMTP_RATE =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "imap-stress.sh: --smtp-rate wants a number" >&2; exit 2; }

DOMAIN=diegonmarcos.com
USERS=(stress1 stress2 stress3 stress4 stress5)  # the contended run's users, round robin over the clients
SOLO=stresssolo                                   # the one-client run's user: both servers start it from the same state
WARM=stresswarm                                   # the warm-up's user
BULK=stressbulk                                   # the large INBOX of the FETCH 1:* timing
# Passes mailpack's policy (16+ characters, no part of a user name or the domain, not common words).
PASSWORD=Quartz-Harbor-Vq93-Kz
PRELOAD=20                 # messages in INBOX and in Work of every user before each run (imap-stress.py)
START_TIMEOUT_S=120
MAIL_USER=mail             # Unix user owning the Dovecot maildirs

TMP=""
MAILPACK_PID=""
DNS_PID=""
DOVECOT_PID=""
declare -A TAKEN_PORTS=()

log() { printf '[imap-stress %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

stop_pid() {
  local pid=$1 name=$2 limit=${3:-20} i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do alive "$pid" || return 0; sleep 0.1; done
  log "$name (pid $pid) still running $limit s after SIGTERM, killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $MAILPACK_PID ]]; then stop_pid "$MAILPACK_PID" mailpack 60; wait "$MAILPACK_PID" 2>/dev/null || true; fi
  if [[ -n $DOVECOT_PID ]]; then stop_pid "$DOVECOT_PID" dovecot; wait "$DOVECOT_PID" 2>/dev/null || true; fi
  if [[ -n $DNS_PID ]]; then stop_pid "$DNS_PID" nxdomain-dns 5; wait "$DNS_PID" 2>/dev/null || true; fi
  if [[ -n $TMP && -d $TMP ]]; then
    if ((rc != 0)); then
      local f
      for f in "$TMP"/mailpack/out.log "$TMP"/dovecot/dovecot.log "$TMP"/dovecot/stdout.log "$TMP"/*.log; do
        [[ -s $f ]] || continue
        log "---- last lines of $f ----"
        tail -n 25 "$f" >&2
      done
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  fi
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# Preparation
# ---------------------------------------------------------------------------------------------

need_dovecot() {
  if command -v dovecot >/dev/null 2>&1 && [[ -x /usr/lib/dovecot/imap && -x /usr/lib/dovecot/lmtp ]]; then
    return 0
  fi
  [[ $(id -u) == 0 ]] || die "Dovecot is missing; as root: apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd"
  log "installing dovecot-imapd dovecot-lmtpd"
  # The packages would start the system-wide Dovecot; this benchmark only runs a private instance.
  local policy_created=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_created=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
    dovecot-imapd dovecot-lmtpd >&2 ||
    die "apt-get install dovecot-imapd dovecot-lmtpd failed (try apt-get update first)"
  ((policy_created)) && rm -f /usr/sbin/policy-rc.d
  command -v dovecot >/dev/null 2>&1 || die "dovecot still not found after installing dovecot-imapd"
}

need_tools() {
  local t
  for t in java python3 curl openssl ss; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found (Debian: openjdk-17-jre-headless python3 curl openssl iproute2)"
  done
  [[ $(id -u) == 0 ]] || die "run as root: the private Dovecot starts as root and drops to its users"
}

build_mailpack() {
  if [[ ! -f $JAR ]]; then
    log "building mailpack ($JAR missing)"
    (cd "$REPO" && mvn -B -q -o install -DskipTests) >&2
    [[ -f $JAR ]] || die "build finished but $JAR is still missing"
  fi
  if [[ -n $(cd "$REPO" && find pom.xml ./*/pom.xml ./*/src/main -newer "$JAR" -print -quit 2>/dev/null) ]]; then
    log "WARNING: $JAR is older than some sources; measuring it anyway (run mvn install to measure the current code)"
  fi
}

jvm_flags() {
  if [[ -n ${MAILPACK_JAVA_OPTS:-} ]]; then echo "$MAILPACK_JAVA_OPTS"; return; fi
  local flags
  flags=$(sed -n 's/^JVM_FLAGS=.*:-"\(.*\)"}[[:space:]]*$/\1/p' "$REPO/bin/mailpack")
  [[ -n $flags ]] || die "could not read the JVM_FLAGS line of $REPO/bin/mailpack"
  echo "$flags"
}

# pick_port VAR: a free TCP port in 20000-59999, not handed out before in this run.
pick_port() {
  local -n out=$1
  local p i
  for ((i = 0; i < 500; i++)); do
    p=$((20000 + RANDOM % 40000))
    [[ -n ${TAKEN_PORTS[$p]:-} ]] && continue
    if [[ -z $(ss -Htan "( sport = :$p )") && -z $(ss -Huan "( sport = :$p )") ]]; then
      TAKEN_PORTS[$p]=1
      out=$p
      return 0
    fi
  done
  die "no free port found"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2 pid=${3:-} deadline
  deadline=$(($(now_ms) + START_TIMEOUT_S * 1000))
  until port_open "$port"; do
    [[ -z $pid ]] || alive "$pid" || die "$name exited before opening port $port"
    (($(now_ms) < deadline)) || die "$name did not open port $port within ${START_TIMEOUT_S} s"
    sleep 0.05
  done
}

# cpu_busy_pct SECONDS: how busy all CPUs were over SECONDS (100 = every core), from /proc/stat.
cpu_busy_pct() {
  local a b
  a=$(head -n 1 /proc/stat)
  sleep "$1"
  b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }
    printf "%.0f", (total > 0 ? 100 * (total - idle) / total : 0) }'
}

user_list() { local u out=""; for u in "$@"; do out+="${out:+,}$u@$DOMAIN"; done; echo "$out"; }

# ---------------------------------------------------------------------------------------------
# mailpack: the jar of this checkout, the shipped conf/ and JVM flags, a fresh home
# ---------------------------------------------------------------------------------------------

start_mailpack() {
  local w=$TMP/mailpack v flags deadline
  mkdir -p "$w"
  cp -r "$REPO/conf" "$w/"
  # Deliveries come from one address to five recipients: switch off the port-25 rate limits (as
  # bench/bench.sh does; Dovecot's LMTP has none either).
  sed -i -E '/<inbound>/,/<\/inbound>/ s/per(Minute|Hour|Day)="[0-9]+"/per\1="0"/g' "$w/conf/ratelimits.xml"
  grep -A4 '<inbound>' "$w/conf/ratelimits.xml" | grep -qE 'per(Minute|Hour|Day)="[1-9]' && die "could not switch off the inbound rate limits"
  # SPF/DKIM/DMARC at DATA would wait for DNS timeouts without Internet access: NXDOMAIN at once.
  pick_port MP_DNS_PORT
  python3 "$BENCH_DIR/nxdomain-dns.py" "$MP_DNS_PORT" >"$TMP/nxdomain-dns.log" 2>&1 &
  DNS_PID=$!
  for v in MP_SMTP_PORT MP_SUB_PORT MP_SMTPS_PORT MP_IMAP_PORT MP_IMAPS_PORT MP_POP3S_PORT MP_WEB_PORT; do
    pick_port "$v"
  done
  flags=$(jvm_flags)
  log "mailpack: starting (IMAPS $MP_IMAPS_PORT, SMTP $MP_SMTP_PORT, webadmin $MP_WEB_PORT) with: $flags"
  # shellcheck disable=SC2086 # the flags are a space-separated list on purpose
  (cd "$w" && exec env MAILPACK_PORTS=unprivileged MAILPACK_BIND_ADDRESS=127.0.0.1 \
    MAILPACK_SMTP_PORT="$MP_SMTP_PORT" MAILPACK_SUBMISSION_PORT="$MP_SUB_PORT" \
    MAILPACK_SMTPS_PORT="$MP_SMTPS_PORT" MAILPACK_IMAP_PORT="$MP_IMAP_PORT" \
    MAILPACK_IMAPS_PORT="$MP_IMAPS_PORT" MAILPACK_POP3S_PORT="$MP_POP3S_PORT" \
    MAILPACK_WEBADMIN_PORT="$MP_WEB_PORT" MAILPACK_DNS_SERVERS="127.0.0.1:$MP_DNS_PORT" \
    java $flags -Dworking.directory="$w" -Dlogback.configurationFile="$w/conf/logback.xml" \
    -jar "$JAR" --home "$w") >"$w/out.log" 2>&1 </dev/null &
  MAILPACK_PID=$!
  deadline=$(($(now_ms) + START_TIMEOUT_S * 1000))
  until grep -q 'mailpack is running' "$w/out.log"; do
    alive "$MAILPACK_PID" || die "mailpack exited during start-up"
    (($(now_ms) < deadline)) || die "mailpack did not log 'mailpack is running' within ${START_TIMEOUT_S} s"
    sleep 0.1
  done
  local token code u
  token=$(cat "$w/var/webadmin/admin.token")
  for u in "${USERS[@]}" "$SOLO" "$WARM" "$BULK"; do
    code=$(curl -s -o "$w/put-user.out" -w '%{http_code}' --max-time 30 -X PUT \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$MP_WEB_PORT/users/$u@$DOMAIN" || true)
    [[ $code == 204 ]] || die "mailpack: creating $u@$DOMAIN over webadmin answered HTTP $code: $(cat "$w/put-user.out" 2>/dev/null)"
  done
  log "mailpack: up (pid $MAILPACK_PID), users created"
}

# ---------------------------------------------------------------------------------------------
# Dovecot: a private instance configured from scratch, TLS like mailpack's IMAPS
# ---------------------------------------------------------------------------------------------

start_dovecot() {
  local d=$TMP/dovecot uid gid u
  uid=$(id -u "$MAIL_USER") && gid=$(id -g "$MAIL_USER") || die "user $MAIL_USER missing"
  mkdir -p "$d/run" "$d/state" "$d/mail"
  chown "$uid:$gid" "$d/mail"
  pick_port DC_IMAPS_PORT
  pick_port DC_LMTP_PORT
  # A self-signed RSA 2048 pair, as mailpack generates on its first start.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=imap-stress.invalid" \
    -keyout "$d/key.pem" -out "$d/cert.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
  chmod 600 "$d/key.pem"
  : >"$d/users"
  for u in "${USERS[@]}" "$SOLO" "$WARM" "$BULK"; do
    printf '%s@%s:{PLAIN}%s:%s:%s::%s::\n' "$u" "$DOMAIN" "$PASSWORD" "$uid" "$gid" "$d/mail/$DOMAIN/$u" >>"$d/users"
  done
  chgrp dovecot "$d/users" && chmod 640 "$d/users"   # the auth process runs as user dovecot
  # Nothing from /etc/dovecot: Dovecot's built-in defaults where nothing is said, among them
  # mail_fsync = optimized (Debian's conf.d leaves it at that too): a saved message is fsynced
  # before the OK of APPEND / COPY and the LMTP 250.
  cat >"$d/dovecot.conf" <<EOF
# Private Dovecot for bench/imap-stress.sh: nothing here touches /etc/dovecot, /run or /var.
instance_name = imap-stress
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
auth_mechanisms = plain login
first_valid_uid = $uid
first_valid_gid = $gid
mail_location = maildir:$d/mail/%d/%n
# Dovecot refuses an 11th session of one user from one address by default; mailpack has no such
# limit (connectionLimitPerIP 0), and the load generator may open many sessions per user.
mail_max_userip_connections = 1000
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/users
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DC_IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DC_LMTP_PORT
  }
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
}
EOF
  dovecot -F -c "$d/dovecot.conf" >"$d/stdout.log" 2>&1 </dev/null &
  DOVECOT_PID=$!
  wait_port "$DC_IMAPS_PORT" "dovecot imaps" "$DOVECOT_PID"
  wait_port "$DC_LMTP_PORT" "dovecot lmtp" "$DOVECOT_PID"
  log "dovecot $(dovecot --version | cut -d' ' -f1): up (pid $DOVECOT_PID, IMAPS $DC_IMAPS_PORT, LMTP $DC_LMTP_PORT)"
}

# ---------------------------------------------------------------------------------------------
# Runs and the side-by-side table
# ---------------------------------------------------------------------------------------------

# stress NAME PORT CLIENTS USERS [extra imap-stress.py options...]: one run, its table on stdout,
# its figures in $TMP/NAME.json.
stress() {
  local name=$1 port=$2 clients=$3 users=$4 seconds=${SECONDS_OVERRIDE:-$SECONDS_PER_RUN} busy
  shift 4
  busy=$(cpu_busy_pct 2)
  echo "$busy" >"$TMP/$name.busy"
  log "$name: $clients client(s), $seconds s, CPUs ${busy}% busy before, users $users $*"
  python3 "$BENCH_DIR/imap-stress.py" --port "$port" --tls --users "$users" --password "$PASSWORD" \
    --clients "$clients" --seconds "$seconds" --preload "$PRELOAD" --label "$name" \
    --json "$TMP/$name.json" "$@" || die "$name: imap-stress.py failed"
  echo
}

# warmup: the same mix for WARMUP_S seconds on each server, on a user of its own, not reported. The
# JVM compiles its hot paths (C1) and fills its caches; Dovecot gets the same treatment.
warmup() {
  ((WARMUP_S > 0)) || return 0
  log "warm-up: ${WARMUP_S} s on each server (not reported)"
  SECONDS_OVERRIDE=$WARMUP_S stress warmup-mailpack "$MP_IMAPS_PORT" "$CLIENTS" "$(user_list "$WARM")" >/dev/null
  SECONDS_OVERRIDE=$WARMUP_S stress warmup-dovecot "$DC_IMAPS_PORT" "$CLIENTS" "$(user_list "$WARM")" >/dev/null
}

# fetch_all: FETCH 1:* (FLAGS BODY.PEEK[]) of an INBOX of FETCH_MESSAGES messages, on each server.
fetch_all() {
  ((FETCH_MESSAGES > 0)) || return 0
  local name port
  for name in mailpack dovecot; do
    if [[ $name == mailpack ]]; then port=$MP_IMAPS_PORT; else port=$DC_IMAPS_PORT; fi
    log "$name: filling an INBOX with $FETCH_MESSAGES messages, then FETCH 1:* three times"
    python3 "$BENCH_DIR/imap-fetch-all.py" --port "$port" --tls --user "$BULK@$DOMAIN" --password "$PASSWORD" \
      --messages "$FETCH_MESSAGES" --label "$name" --json "$TMP/fetch-$name.json" || die "$name: imap-fetch-all.py failed"
  done
  python3 - "$TMP/fetch-mailpack.json" "$TMP/fetch-dovecot.json" <<'EOF'
import json, sys
mp, dc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("FETCH 1:* (FLAGS BODY.PEEK[]) of %d messages: median %.0f ms vs %.0f ms (mailpack / Dovecot %.2f)" % (
    mp["messages"], mp["median_ms"], dc["median_ms"], mp["median_ms"] / dc["median_ms"] if dc["median_ms"] else float("nan")))
EOF
  echo
}

# compare TITLE MAILPACK_RUN DOVECOT_RUN (names given to stress): per command, mailpack / Dovecot.
compare() {
  python3 - "$1" "$TMP/$2.json" "$TMP/$3.json" "$(cat "$TMP/$2.busy")" "$(cat "$TMP/$3.busy")" <<'EOF'
import json, sys
title, mp, dc = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
busy_mp, busy_dc = sys.argv[4], sys.argv[5]
def ratio(a, b):
    return "%.2f" % (a / b) if b > 0 else "n/a"
print("== %s: mailpack / Dovecot ==" % title)
print("%-8s %9s %9s %7s   %9s %9s %7s   %9s %9s   %6s %6s" % (
    "command", "p50 mp", "p50 dc", "ratio", "per s mp", "per s dc", "ratio", "p99 mp", "p99 dc", "err mp", "err dc"))
for c in mp["commands"]:
    a, b = mp["commands"][c], dc["commands"].get(c)
    if b is None:
        continue
    print("%-8s %9.1f %9.1f %7s   %9.1f %9.1f %7s   %9.1f %9.1f   %6d %6d" % (
        c, a["p50_ms"], b["p50_ms"], ratio(a["p50_ms"], b["p50_ms"]), a["per_s"], b["per_s"], ratio(a["per_s"], b["per_s"]),
        a["p99_ms"], b["p99_ms"], mp["errors"].get(c, 0), dc["errors"].get(c, 0)))
print("IMAP commands/s %.1f vs %.1f (ratio %s); stalled seconds %d vs %d; commands over 1 s %d vs %d; errors %d vs %d" % (
    mp["imap_per_s"], dc["imap_per_s"], ratio(mp["imap_per_s"], dc["imap_per_s"]), mp["stalled_seconds"], dc["stalled_seconds"],
    mp["over_1s"], dc["over_1s"], sum(mp["errors"].values()), sum(dc["errors"].values())))
print("CPUs busy in the 2 s before the run (other work on the machine): %s %% vs %s %%" % (busy_mp, busy_dc))
print("(latencies in ms; ratio = mailpack / Dovecot: for p50 above 1 means mailpack is slower, for per s below 1)")
print()
EOF
}

main() {
  need_tools
  need_dovecot
  build_mailpack
  trap cleanup EXIT INT TERM
  TMP=$(mktemp -d /tmp/imap-stress.XXXXXX)
  chmod 755 "$TMP"   # Dovecot's mail processes (user mail) must reach their maildirs below it
  start_mailpack
  start_dovecot

  local users solo deliver_mp=() deliver_dc=()
  users=$(user_list "${USERS[@]}")
  solo=$(user_list "$SOLO")
  if [[ $SMTP_RATE != 0 && $SMTP_RATE != 0.0 ]]; then
    deliver_mp=(--smtp-port "$MP_SMTP_PORT" --smtp-rate "$SMTP_RATE")
    deliver_dc=(--smtp-port "$DC_LMTP_PORT" --smtp-rate "$SMTP_RATE" --lmtp)
  fi
  echo "imap-stress.sh: $(date -u +'%F %T UTC'), commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mailpack: $(basename "$JAR") over IMAPS, JVM flags: $(jvm_flags)"
  echo "Dovecot $(dovecot --version | cut -d' ' -f1): private instance over IMAPS (self-signed), maildir, mail_fsync=$(doveconf -c "$TMP/dovecot/dovecot.conf" -h mail_fsync 2>/dev/null || echo '?')"
  echo "load: $CLIENTS clients over ${#USERS[@]} users, $SECONDS_PER_RUN s, $PRELOAD messages preloaded per mailbox, deliveries ${SMTP_RATE}/s; then 1 client alone, no deliveries; warm-up ${WARMUP_S} s each first"
  echo

  # One server at a time works; the other waits idle. The contended runs first, then the lone client
  # on its own user (both servers give it the same 2 x $PRELOAD messages to start from).
  warmup
  stress mailpack "$MP_IMAPS_PORT" "$CLIENTS" "$users" "${deliver_mp[@]}"
  stress dovecot "$DC_IMAPS_PORT" "$CLIENTS" "$users" "${deliver_dc[@]}"
  stress mailpack-1 "$MP_IMAPS_PORT" 1 "$solo"
  stress dovecot-1 "$DC_IMAPS_PORT" 1 "$solo"

  fetch_all

  compare "$CLIENTS clients" mailpack dovecot
  compare "1 client" mailpack-1 dovecot-1
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure: compare ratios, and several runs)"
}

main
