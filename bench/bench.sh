#!/usr/bin/env bash
# bench/bench.sh: start-up, memory and SMTP delivery throughput of mailpack, next to Postfix + Dovecot
# on the same machine, in one run; also the throughput of James' core path alone (the same server
# without mailpack's checks and mailets, bench/core-chain.py). Prints the figures and writes
# bench/RESULTS.md.
#
#   bash bench/bench.sh            (from any directory; needs root for apt-get, postfix and dovecot)
#
# Environment (all optional):
#   BENCH_MESSAGES=2000     messages per load run (anything else is for smoke tests: the results say so)
#   BENCH_KEEP=1            keep the temporary directory (configs, logs, mail stores) for inspection
#   BENCH_QUIET_WAIT_S=180  before each load, wait at most this long for the CPUs to be <= 20 % busy
#   MAILPACK_JAVA_OPTS      JVM flags; default: the JVM_FLAGS line of bin/mailpack (the shipped flags)
#
# Everything runs as children of this script, in one temporary directory, on random free high ports
# bound to 127.0.0.1; the EXIT trap stops every daemon it started (by PID) and removes the directory.
# See bench/README.md for the method and the known sources of noise.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
JAR=$REPO/guice-modules/target/mailpack-server.jar
RESULTS_FILE=$BENCH_DIR/RESULTS.md

# The load, as specified: 20 parallel sessions, 4 KiB messages, one local recipient.
MESSAGES=${BENCH_MESSAGES:-2000}
SESSIONS=20
MSG_BYTES=4096
SENDER=a@example.org
RCPT=diego@diegonmarcos.com
DOMAIN=diegonmarcos.com
PASSWORD=bench-password-0123456789

IDLE_SAMPLE_S=15           # idle RSS is read this long after the JVM was started
START_TIMEOUT_S=120        # longest wait for a daemon's port / readiness
DELIVERY_TIMEOUT_S=600     # longest wait for all messages to show up in the INBOX
MAILPACK_STOP_TIMEOUT_S=60 # longest wait for a graceful JVM shutdown before SIGKILL
QUIET_WAIT_S=${BENCH_QUIET_WAIT_S:-180}  # longest wait before a load for other work to finish
QUIET_BUSY_PCT=20          # "quiet": CPUs at most this busy over 2 s
MAIL_USER=mail             # Unix user owning the Dovecot maildir (exists on every Debian system)

# State shared with the cleanup trap.
TMP=""
MAILPACK_PID=""
DNS_PID=""                # bench/nxdomain-dns.py, the DNS server of mailpack's inbound checks
POSTFIX_CONF=""
POSTFIX_PID=""             # "postfix start-fg": the postfix-script wrapper whose child is master
DOVECOT_PID=""             # "dovecot -F": the dovecot master itself
SAMPLER_PID=""
declare -A TAKEN_PORTS=()

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# rate COUNT MILLISECONDS -> messages per second, one decimal
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.1f", (ms > 0 ? n * 1000 / ms : 0) }'; }
# ratio A B -> A/B, two decimals ("n/a" when B is 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }

# ---------------------------------------------------------------------------------------------
# Cleanup: stop exactly the processes this script started, bounded in time.
# ---------------------------------------------------------------------------------------------

# stop_pid PID NAME [SECONDS]: SIGTERM, wait up to SECONDS (default 20), then SIGKILL.
stop_pid() {
  local pid=$1 name=$2 limit=${3:-20} i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do alive "$pid" || return 0; sleep 0.1; done
  log "$name (pid $pid) still running $limit s after SIGTERM, killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

stop_sampler() {
  [[ -n $SAMPLER_PID ]] || return 0
  stop_pid "$SAMPLER_PID" "RSS sampler"
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
}

stop_mailpack() {
  [[ -n $MAILPACK_PID ]] || return 0
  # James shuts its queue, spooler and Derby down in order, which takes several seconds.
  stop_pid "$MAILPACK_PID" "mailpack" "$MAILPACK_STOP_TIMEOUT_S"
  wait "$MAILPACK_PID" 2>/dev/null || true
  MAILPACK_PID=""
}

stop_postfix() {
  [[ -n $POSTFIX_PID ]] || return 0
  local master
  master=$(postfix_master_pid)
  # "postfix stop" asks master to stop its children and exit; make sure that happened.
  timeout 30 postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1 || true
  if [[ -n $master ]]; then stop_pid "$master" "postfix master"; fi
  stop_pid "$POSTFIX_PID" "postfix start-fg"
  wait "$POSTFIX_PID" 2>/dev/null || true
  POSTFIX_PID=""
}

stop_dovecot() {
  [[ -n $DOVECOT_PID ]] || return 0
  stop_pid "$DOVECOT_PID" "dovecot"   # SIGTERM: the master stops all its services
  wait "$DOVECOT_PID" 2>/dev/null || true
  DOVECOT_PID=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_sampler
  stop_mailpack
  [[ -n ${DNS_PID:-} ]] && kill "$DNS_PID" 2>/dev/null
  DNS_PID=""
  stop_postfix
  stop_dovecot
  if [[ -n $TMP && -d $TMP ]]; then
    if ((rc != 0)); then
      # Show the end of every log so a failure can be understood without re-running.
      local f
      for f in "$TMP"/mailpack/out-*.log "$TMP"/mailpack-core/out-*.log "$TMP"/postfix/maillog "$TMP"/dovecot/dovecot.log "$TMP"/*.smtp-source.log; do
        [[ -s $f ]] || continue
        log "---- last lines of $f ----"
        tail -n 25 "$f" >&2
      done
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
      log "kept $TMP"
    else
      rm -rf "$TMP"
    fi
  fi
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# Preparation
# ---------------------------------------------------------------------------------------------

install_packages() {
  local missing=() p
  for p in postfix dovecot-imapd dovecot-lmtpd swaks curl iproute2 procps; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  # Installing postfix/dovecot would normally start their system services; forbid that, this
  # benchmark only ever runs private instances.
  local policy_created=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_created=1
  fi
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
  ((policy_created)) && rm -f /usr/sbin/policy-rc.d
  return 0
}

# Builds only when the jar is missing. A jar older than the sources is measured as it is (building
# is the developer's call), but the results say so.
JAR_STALE=""
build_mailpack() {
  if [[ ! -f $JAR ]]; then
    log "building mailpack ($JAR missing)"
    (cd "$REPO" && mvn -B -q -o install -DskipTests)
    [[ -f $JAR ]] || die "build finished but $JAR is still missing"
  fi
  if [[ -n $(cd "$REPO" && find pom.xml ./*/pom.xml ./*/src/main -newer "$JAR" -print -quit 2>/dev/null) ]]; then
    JAR_STALE=" (**older than some sources**: run \`mvn install\` to measure the current code)"
    log "WARNING: $JAR is older than some sources; measuring it anyway"
  fi
}

# The flags bin/mailpack ships, read from its JVM_FLAGS line so this benchmark stays in step.
jvm_flags() {
  if [[ -n ${MAILPACK_JAVA_OPTS:-} ]]; then
    echo "$MAILPACK_JAVA_OPTS"
    return
  fi
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
    if [[ -z $(ss -Htan "( sport = :$p )") ]]; then
      TAKEN_PORTS[$p]=1
      out=$p
      return 0
    fi
  done
  die "no free TCP port found"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT NAME [PID]: poll every 50 ms until PORT accepts a connection; fail if PID dies.
wait_port() {
  local port=$1 name=$2 pid=${3:-} deadline
  deadline=$(($(now_ms) + START_TIMEOUT_S * 1000))
  until port_open "$port"; do
    [[ -z $pid ]] || alive "$pid" || die "$name exited before opening port $port"
    (($(now_ms) < deadline)) || die "$name did not open port $port within ${START_TIMEOUT_S} s"
    sleep 0.05
  done
}

# cpu_busy_pct SECONDS: how busy all CPUs were over SECONDS, from /proc/stat (100 = every core busy).
# Taken just before each load to record how quiet the machine was; other work skews every figure.
# Unlike machine_busy_ms, steal counts as busy here: a host taking the CPUs away is no quiet machine.
cpu_busy_pct() {
  local a b
  a=$(head -n 1 /proc/stat)
  sleep "$1"
  b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }  # idle, iowait
    printf "%.0f", (total > 0 ? 100 * (total - idle) / total : 0) }'
}

# machine_busy_ms: CPU time all cores have spent busy since boot (everything but idle, iowait and
# steal).
machine_busy_ms() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == 1 {
    for (i = 2; i <= NF; i++) if (i != 5 && i != 6 && i != 9) t += $i
    printf "%d", t * 1000 / hz; exit }' /proc/stat
}

# machine_steal_ms: CPU time the hypervisor gave to other guests while this machine's CPUs wanted
# to run, since boot (the "steal" column of /proc/stat): on a shared VM it slows every figure.
machine_steal_ms() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == 1 { printf "%d", $9 * 1000 / hz; exit }' /proc/stat
}

# proc_kib PID FIELD: a /proc/PID/status memory field (VmRSS, VmHWM) in KiB.
proc_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# imap_messages URL: MESSAGES of INBOX as reported by IMAP STATUS (empty if the server did not answer).
# URL names no mailbox, so curl sends STATUS without SELECTing INBOX first: a SELECT every second would
# clear \Recent on each new message, a flag write per message that no real client causes at that rate
# (clients IDLE or NOOP in a selected INBOX and STATUS the other folders).
imap_messages() {
  curl -sk --max-time 10 "$1" -u "$RCPT:$PASSWORD" -X 'STATUS INBOX (MESSAGES)' 2>/dev/null |
    sed -n 's/.*MESSAGES \([0-9][0-9]*\).*/\1/p' || true
}

# ---------------------------------------------------------------------------------------------
# Memory sampling. Postfix and Dovecot are dozens of short- and long-lived processes, so one
# VmHWM is not enough: every second, sum VmHWM, VmRSS and PSS over all live processes of the
# process trees rooted at the given PIDs, and keep each sample. The reported peak is the largest
# sum seen. RSS counts shared pages (libc, the postfix/dovecot libraries) once per process, PSS
# shares them out, so the PSS sum is the fairer "memory the system needs" figure.
# ---------------------------------------------------------------------------------------------

# tree_pids ROOT...: ROOT and all its descendants, one per line.
tree_pids() {
  ps -e -o pid=,ppid= | awk -v roots="$*" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      do {                      # grow the set until no process is added
        added = 0
        for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 } }
      } while (added)
      for (p in keep) print p
    }'
}

# memory_sample ROOT...: "processes sumVmHWM sumVmRSS sumPss names" (sizes in KiB) for the trees
# at ROOT; names is e.g. "smtpd*20,lmtp*21,...", to show which processes made up a peak.
# Processes that exit while being read are skipped (getline returns -1 rather than failing).
memory_sample() {
  tree_pids "$@" | awk '
    function field(file, name,   line, v, a) {
      v = 0
      while ((getline line < file) > 0) { split(line, a, " "); if (a[1] == name) { v = a[2]; break } }
      close(file)
      return v
    }
    { st = "/proc/" $1 "/status"; hwm = field(st, "VmHWM:")
      if (hwm == 0) next              # gone, or a kernel thread
      n++; shwm += hwm; srss += field(st, "VmRSS:"); spss += field("/proc/" $1 "/smaps_rollup", "Pss:")
      comm = field(st, "Name:"); count[comm ? comm : "?"]++ }
    END {
      names = ""
      for (c in count) names = names (names == "" ? "" : ",") c "*" count[c]
      printf "%d %d %d %d %s\n", n, shwm, srss, spss, (names == "" ? "-" : names)
    }'
}

# tree_cpu_ms ROOT...: CPU time (user + system, ms) used so far by the trees at ROOT. Each process
# contributes its own time plus that of the children it has reaped (cutime, cstime), so the many
# short-lived Postfix and Dovecot workers are counted once their master has collected them.
tree_cpu_ms() {
  local hz
  hz=$(getconf CLK_TCK)
  tree_pids "$@" | awk -v hz="$hz" '
    { line = ""; f = "/proc/" $1 "/stat"
      if ((getline line < f) <= 0) { close(f); next }   # exited meanwhile
      close(f)
      sub(/^.*\) /, "", line)                          # drop "pid (comm) ", comm may hold spaces
      split(line, a, " ")
      ticks += a[12] + a[13] + a[14] + a[15] }          # utime stime cutime cstime
    END { printf "%d", ticks * 1000 / hz }'
}

# start_sampler FILE ROOT...: append "ms processes hwm rss pss names" to FILE every second (at most
# an hour).
start_sampler() {
  local file=$1
  shift
  (
    for ((i = 0; i < 3600; i++)); do
      echo "$(now_ms) $(memory_sample "$@")" >>"$file"
      sleep 1
    done
  ) &
  SAMPLER_PID=$!
}

# peak_column FILE COLUMN: the largest value of a sampler column (3 = VmHWM, 4 = VmRSS, 5 = PSS), KiB.
peak_column() { awk -v c="$2" '$c > m { m = $c } END { print m + 0 }' "$1"; }
# peak_names FILE: the process names of the sample with the largest sum of VmHWM, sorted by count.
peak_names() {
  awk '$3 > m { m = $3; names = $6 } END { print names }' "$1" | tr ',' '\n' |
    sort -t '*' -k2,2nr -k1,1 | paste -sd ' ' | sed 's/\*/ ×/g'
}

# ---------------------------------------------------------------------------------------------
# The load
# ---------------------------------------------------------------------------------------------

smtp_source_bin() {
  local b
  for b in /usr/sbin/smtp-source $(dpkg -L postfix 2>/dev/null | grep '/smtp-source$' || true); do
    [[ -x $b ]] && { echo "$b"; return; }
  done
  die "smtp-source not found (package postfix)"
}

# run_load NAME SMTP_PORT IMAP_URL TOTAL ROOT...: send the load, then wait until the INBOX holds
# TOTAL messages (the load's plus those of earlier loads). Sets LOAD_ACCEPT_MS (smtp-source wall time), LOAD_DELIVER_MS (load start -> all in
# INBOX), LOAD_BUSY_BEFORE (CPU busy % in the 2 s before the load), LOAD_CPU_MS (CPU time the
# server processes, the trees at ROOT, used meanwhile: steadier than wall time when other work
# runs) and LOAD_OTHER_CPU_MS (all other CPU time on the machine meanwhile: the load generator, the
# polling, and any foreign work that competed with the server) and LOAD_STEAL_MS (the hypervisor's steal time).
run_load() {
  local name=$1 port=$2 url=$3 total=$4 out="$TMP/$1.smtp-source.log" start end cpu0 busy0 steal0
  shift 4
  # Other work on 2 cores skews every wall-clock figure: give it a bounded chance to finish first.
  local quiet_deadline=$(($(now_ms) + QUIET_WAIT_S * 1000))
  while LOAD_BUSY_BEFORE=$(cpu_busy_pct 2); ((LOAD_BUSY_BEFORE > QUIET_BUSY_PCT)); do
    if (($(now_ms) >= quiet_deadline)); then
      log "WARNING: CPUs still ${LOAD_BUSY_BEFORE}% busy before the $name load: other work on this machine skews the figures"
      break
    fi
    log "CPUs ${LOAD_BUSY_BEFORE}% busy with other work, waiting for a quieter machine (at most ${QUIET_WAIT_S} s)"
    sleep 3
  done
  log "$name: sending $MESSAGES messages of $MSG_BYTES bytes over $SESSIONS sessions"
  cpu0=$(tree_cpu_ms "$@")
  busy0=$(machine_busy_ms)
  steal0=$(machine_steal_ms)
  start=$(now_ms)
  if ! "$SMTP_SOURCE" -s "$SESSIONS" -m "$MESSAGES" -l "$MSG_BYTES" -f "$SENDER" -t "$RCPT" \
    "127.0.0.1:$port" >"$out" 2>&1; then
    die "$name: smtp-source failed"
  fi
  end=$(now_ms)
  # smtp-source is silent when every transaction succeeded; anything it printed is an SMTP error.
  [[ -s $out ]] && die "$name: smtp-source reported errors: $(head -n 3 "$out")"
  LOAD_ACCEPT_MS=$((end - start))
  log "$name: accepted in $(secs "$LOAD_ACCEPT_MS") s, waiting for delivery into INBOX"

  # one IMAP connection polls STATUS until every message is there (bench/imap-wait.py)
  local remaining=$((start + DELIVERY_TIMEOUT_S * 1000 - $(now_ms)))
  if ! /usr/bin/python3 "$BENCH_DIR/imap-wait.py" "$name" "$url" "$RCPT" "$PASSWORD" "$total" "$remaining"; then
    die "$name: not all $total messages in INBOX ${DELIVERY_TIMEOUT_S} s after the load started"
  fi
  LOAD_DELIVER_MS=$(($(now_ms) - start))
  LOAD_CPU_MS=$(($(tree_cpu_ms "$@") - cpu0))
  LOAD_OTHER_CPU_MS=$(($(machine_busy_ms) - busy0 - LOAD_CPU_MS))
  LOAD_STEAL_MS=$(($(machine_steal_ms) - steal0))
  log "$name: all $total messages in INBOX after $(secs "$LOAD_DELIVER_MS") s"
}

# second_load NAME SMTP_PORT IMAP_URL ROOT...: the same load again on the same running server (a JVM
# that has compiled its hot code; Postfix and Dovecot with warm caches). Sets the WARM_* figures.
second_load() {
  local name=$1 port=$2 url=$3
  shift 3
  run_load "$name-second" "$port" "$url" $((2 * MESSAGES)) "$@"
  WARM_ACCEPT_MS=$LOAD_ACCEPT_MS
  WARM_DELIVER_MS=$LOAD_DELIVER_MS
  WARM_CPU_MS=$LOAD_CPU_MS
  WARM_BUSY_BEFORE=$LOAD_BUSY_BEFORE
}

# ---------------------------------------------------------------------------------------------
# mailpack
# ---------------------------------------------------------------------------------------------

# start_mailpack LABEL [DIR]: start the JVM on fresh ports in DIR (default $TMP/mailpack) and wait until it has logged
# "mailpack is running". Sets MAILPACK_PID, MP_START_MS (wall clock at fork), MP_PORT_MS (fork ->
# SMTP port accepts a connection), MP_RUNNING_MS (fork -> log line) and the MP_*_PORT variables.
start_mailpack() {
  local label=$1 w=${2:-$TMP/mailpack} v start deadline
  for v in MP_SMTP_PORT MP_SUB_PORT MP_SMTPS_PORT MP_IMAP_PORT MP_IMAPS_PORT MP_POP3S_PORT MP_WEB_PORT; do
    pick_port "$v"
  done
  log "mailpack ($label): starting (SMTP $MP_SMTP_PORT, IMAPS $MP_IMAPS_PORT, webadmin $MP_WEB_PORT)"
  start=$(now_ms)
  # exec: $! is the JVM itself, so its /proc/<pid>/status is what we read. Every listener is bound
  # to 127.0.0.1 so that no benchmark traffic can leave loopback.
  # shellcheck disable=SC2086 # the flags are a space-separated list on purpose
  (cd "$w" && exec env MAILPACK_PORTS=unprivileged MAILPACK_BIND_ADDRESS=127.0.0.1 \
    MAILPACK_SMTP_PORT="$MP_SMTP_PORT" MAILPACK_SUBMISSION_PORT="$MP_SUB_PORT" \
    MAILPACK_SMTPS_PORT="$MP_SMTPS_PORT" MAILPACK_IMAP_PORT="$MP_IMAP_PORT" \
    MAILPACK_IMAPS_PORT="$MP_IMAPS_PORT" MAILPACK_POP3S_PORT="$MP_POP3S_PORT" \
    MAILPACK_WEBADMIN_PORT="$MP_WEB_PORT" MAILPACK_DNS_SERVERS="127.0.0.1:$MP_DNS_PORT" \
    java $MP_FLAGS -Dworking.directory="$w" -Dlogback.configurationFile="$w/conf/logback.xml" \
    -jar "$JAR" --home "$w") >"$w/out-$label.log" 2>&1 </dev/null &
  MAILPACK_PID=$!
  MP_START_MS=$start

  wait_port "$MP_SMTP_PORT" mailpack "$MAILPACK_PID"
  MP_PORT_MS=$(($(now_ms) - start))

  # "mailpack is running" comes after the last listener and webadmin: the server is fully up.
  deadline=$((start + START_TIMEOUT_S * 1000))
  until grep -q 'mailpack is running' "$w/out-$label.log"; do
    alive "$MAILPACK_PID" || die "mailpack exited during start-up"
    (($(now_ms) < deadline)) || die "mailpack did not log 'mailpack is running' within ${START_TIMEOUT_S} s"
    sleep 0.05
  done
  MP_RUNNING_MS=$(($(now_ms) - start))
  log "mailpack ($label): SMTP accepts connections after $MP_PORT_MS ms, fully up after $MP_RUNNING_MS ms"
}

# create_user DIR: the benchmark's recipient, over the webadmin of the mailpack running in DIR.
create_user() {
  local w=$1 token code="" i
  token=$(cat "$w/var/webadmin/admin.token")
  for ((i = 0; i < 30; i++)); do
    code=$(curl -s -o "$w/put-user.out" -w '%{http_code}' --max-time 10 -X PUT \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$MP_WEB_PORT/users/$RCPT" || true)
    [[ $code == 204 ]] && break
    sleep 1
  done
  [[ $code == 204 ]] || die "mailpack ($w): creating $RCPT over webadmin answered HTTP $code: $(cat "$w/put-user.out" 2>/dev/null)"
}

bench_mailpack() {
  local w=$TMP/mailpack
  mkdir -p "$w"
  cp -r "$REPO/conf" "$w/"
  # The load is one client address sending 2,000 messages to one recipient on port 25: switch off the
  # port-25 rate limits (conf/ratelimits.xml <inbound>), as Postfix runs without any (their cost per
  # message is measured by bench/ratelimit.sh)
  sed -i -E '/<inbound>/,/<\/inbound>/ s/per(Minute|Hour|Day)="[0-9]+"/per\1="0"/g' "$w/conf/ratelimits.xml"
  grep -A4 '<inbound>' "$w/conf/ratelimits.xml" | grep -qE 'per(Minute|Hour|Day)="[1-9]' && die "could not switch off the inbound rate limits"
  MP_FLAGS=$(jvm_flags)
  # Inbound mail is checked at DATA (SPF, DKIM, DMARC: several DNS lookups per message). Without
  # Internet access each would wait for a resolver timeout, so mailpack gets a local DNS server that
  # answers NXDOMAIN at once (bench/nxdomain-dns.py): mailpack still does the lookups and the checks,
  # which Postfix here does not do at all.
  pick_port MP_DNS_PORT
  /usr/bin/python3 "$BENCH_DIR/nxdomain-dns.py" "$MP_DNS_PORT" >"$TMP/nxdomain-dns.log" 2>&1 &
  DNS_PID=$!

  # First start on an empty var/: also generates the TLS key pair, the webadmin JWT keys and the
  # Derby database. RSA key generation takes a random time, so this figure is noisy.
  start_mailpack first
  MP_FIRST_PORT_MS=$MP_PORT_MS
  MP_FIRST_RUNNING_MS=$MP_RUNNING_MS
  stop_mailpack

  # Restart on the existing var/: what an operator sees on every later start. Idle RSS is read on
  # this instance before anything touched it (the user is created afterwards).
  start_mailpack restart
  MP_RESTART_PORT_MS=$MP_PORT_MS
  MP_RESTART_RUNNING_MS=$MP_RUNNING_MS
  local wait_ms
  wait_ms=$((MP_START_MS + IDLE_SAMPLE_S * 1000 - $(now_ms)))
  ((wait_ms > 0)) && sleep "$(secs "$wait_ms")"
  alive "$MAILPACK_PID" || die "mailpack exited while idle"
  MP_IDLE_RSS_KIB=$(proc_kib "$MAILPACK_PID" VmRSS)
  MP_IDLE_PSS_KIB=$(memory_sample "$MAILPACK_PID" | awk '{ print $4 }')
  log "mailpack: idle RSS $(kib_to_mib "$MP_IDLE_RSS_KIB") MiB at $IDLE_SAMPLE_S s"

  create_user "$w"

  local url="imaps://127.0.0.1:$MP_IMAPS_PORT/" n
  n=$(imap_messages "$url")
  [[ $n == 0 ]] || die "mailpack: INBOX of the new user should be empty over IMAP, got '${n}'"

  start_sampler "$TMP/mailpack.samples" "$MAILPACK_PID"
  run_load mailpack "$MP_SMTP_PORT" "$url" "$MESSAGES" "$MAILPACK_PID"
  stop_sampler
  MP_ACCEPT_MS=$LOAD_ACCEPT_MS
  MP_BUSY_BEFORE=$LOAD_BUSY_BEFORE
  MP_DELIVER_MS=$LOAD_DELIVER_MS
  MP_CPU_MS=$LOAD_CPU_MS
  MP_OTHER_CPU_MS=$LOAD_OTHER_CPU_MS
  MP_STEAL_MS=$LOAD_STEAL_MS
  MP_PEAK_HWM_KIB=$(proc_kib "$MAILPACK_PID" VmHWM)
  MP_PEAK_PSS_KIB=$(peak_column "$TMP/mailpack.samples" 5)
  log "mailpack: peak RSS (VmHWM) $(kib_to_mib "$MP_PEAK_HWM_KIB") MiB"

  second_load mailpack "$MP_SMTP_PORT" "$url" "$MAILPACK_PID"
  MP2_ACCEPT_MS=$WARM_ACCEPT_MS
  MP2_DELIVER_MS=$WARM_DELIVER_MS
  MP2_CPU_MS=$WARM_CPU_MS
  MP2_BUSY_BEFORE=$WARM_BUSY_BEFORE
  MP2_PEAK_HWM_KIB=$(proc_kib "$MAILPACK_PID" VmHWM)

  # Stop it before the other system starts, so the two never compete for the 2 cores. How long a
  # graceful stop takes matters to an operator (systemd's TimeoutStopSec), so it is reported too.
  local t0
  t0=$(now_ms)
  stop_mailpack
  MP_STOP_MS=$(($(now_ms) - t0))
}

# The same server with nothing of mailpack's on an inbound message's way (bench/core-chain.py: no
# SMTP checks of ours, LocalDelivery as the whole mailet chain): what James' own path from SMTP to
# the INBOX costs with our wiring (JPA/Derby, ActiveMQ queue, Lucene), so that the report can say how
# much of the gap to Postfix + Dovecot is mailpack's chain and how much is the platform. Same order
# as above: first start on an empty var/, restart, first load, second load.
bench_mailpack_core() {
  local w=$TMP/mailpack-core
  mkdir -p "$w"
  cp -r "$REPO/conf" "$w/"
  /usr/bin/python3 "$BENCH_DIR/core-chain.py" "$w/conf" || die "bench/core-chain.py could not strip $w/conf"
  start_mailpack core-first "$w"
  stop_mailpack
  start_mailpack core-restart "$w"
  create_user "$w"
  local url="imaps://127.0.0.1:$MP_IMAPS_PORT/"
  run_load mailpack-core "$MP_SMTP_PORT" "$url" "$MESSAGES" "$MAILPACK_PID"
  CORE_DELIVER_MS=$LOAD_DELIVER_MS
  CORE_CPU_MS=$LOAD_CPU_MS
  second_load mailpack-core "$MP_SMTP_PORT" "$url" "$MAILPACK_PID"
  CORE2_DELIVER_MS=$WARM_DELIVER_MS
  CORE2_CPU_MS=$WARM_CPU_MS
  stop_mailpack
}

# ---------------------------------------------------------------------------------------------
# Postfix + Dovecot (the reference)
# ---------------------------------------------------------------------------------------------

postfix_master_pid() {
  local f=$TMP/postfix/spool/pid/master.pid
  [[ -s $f ]] && tr -d ' ' <"$f" || true
}

start_dovecot() {
  local d=$TMP/dovecot uid gid
  uid=$(id -u "$MAIL_USER") && gid=$(id -g "$MAIL_USER") || die "user $MAIL_USER missing"
  mkdir -p "$d/run" "$d/state" "$d/mail"
  chown "$uid:$gid" "$d/mail"
  # passdb and userdb in one file; mail processes run as $MAIL_USER, so first_valid_uid is its uid.
  printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$RCPT" "$PASSWORD" "$uid" "$gid" "$d/mail/$DOMAIN/${RCPT%@*}" >"$d/users"
  chgrp dovecot "$d/users" && chmod 640 "$d/users"   # the auth process runs as user dovecot
  cat >"$d/dovecot.conf" <<EOF
# Private Dovecot for the mailpack benchmark: nothing here touches /etc/dovecot, /run or /var.
instance_name = mailpack-bench
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = $uid
first_valid_gid = $gid
mail_location = maildir:$d/mail/%d/%n
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
    address = 127.0.0.1
    port = $DC_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
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
  # -F: stay in the foreground, a child of this script like every other daemon here.
  dovecot -F -c "$d/dovecot.conf" >"$d/stdout.log" 2>&1 </dev/null &
  DOVECOT_PID=$!
  wait_port "$DC_LMTP_PORT" "dovecot lmtp" "$DOVECOT_PID"
  wait_port "$DC_IMAP_PORT" "dovecot imap" "$DOVECOT_PID"
}

start_postfix() {
  local p=$TMP/postfix
  mkdir -p "$p/etc" "$p/spool" "$p/data"
  chown postfix "$p/data"
  POSTFIX_CONF=$p/etc
  cat >"$p/etc/main.cf" <<EOF
# Private Postfix for the mailpack benchmark: own config, queue and data directories, loopback only.
compatibility_level = 3.6
queue_directory = $p/spool
data_directory = $p/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $p/maillog
maillog_file_prefixes = $p
myhostname = bench.$DOMAIN
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
# Like mailpack's ValidRcptHandler, refuse unknown local users at RCPT time.
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = inline:{ $RCPT=ok }
virtual_transport = lmtp:inet:127.0.0.1:$DC_LMTP_PORT
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
EOF
  # Debian's services, minus the ones this test never uses, and without chroot (a chroot would
  # need copies of /etc files inside the temporary queue directory).
  cat >"$p/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$PF_SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  # start-fg: runs "postfix check" (which also creates the queue directories), then keeps master
  # in the foreground as a grandchild of this script instead of daemonizing it.
  postfix -c "$POSTFIX_CONF" start-fg >"$p/start.log" 2>&1 </dev/null &
  POSTFIX_PID=$!
  wait_port "$PF_SMTP_PORT" "postfix smtpd" "$POSTFIX_PID"
}

bench_postfix_dovecot() {
  pick_port DC_LMTP_PORT
  pick_port DC_IMAP_PORT
  pick_port PF_SMTP_PORT
  log "postfix+dovecot: starting (SMTP $PF_SMTP_PORT, LMTP $DC_LMTP_PORT, IMAP $DC_IMAP_PORT)"
  local start
  start=$(now_ms)
  start_dovecot
  start_postfix
  # Dovecot first (Postfix delivers to it), then Postfix until its smtpd accepts a connection.
  PD_STARTUP_MS=$(($(now_ms) - start))
  log "postfix+dovecot: SMTP accepts connections after $PD_STARTUP_MS ms"
  local url="imap://127.0.0.1:$DC_IMAP_PORT/" n roots
  n=$(imap_messages "$url")
  [[ $n == 0 ]] || die "dovecot: INBOX should be empty over IMAP, got '${n}'"

  roots="$(postfix_master_pid) $DOVECOT_PID"
  [[ $roots =~ ^[0-9]+\ [0-9]+$ ]] || die "could not read the postfix and dovecot master PIDs"
  PD_IDLE=$(memory_sample $roots)   # before the load: "processes hwm rss pss"

  start_sampler "$TMP/postfix-dovecot.samples" $roots
  run_load postfix-dovecot "$PF_SMTP_PORT" "$url" "$MESSAGES" $roots
  sleep 1.1                          # one more sample after the last delivery
  stop_sampler
  PD_ACCEPT_MS=$LOAD_ACCEPT_MS
  PD_BUSY_BEFORE=$LOAD_BUSY_BEFORE
  PD_DELIVER_MS=$LOAD_DELIVER_MS
  PD_CPU_MS=$LOAD_CPU_MS
  PD_OTHER_CPU_MS=$LOAD_OTHER_CPU_MS
  PD_STEAL_MS=$LOAD_STEAL_MS
  PD_PEAK_HWM_KIB=$(peak_column "$TMP/postfix-dovecot.samples" 3)
  PD_PEAK_RSS_KIB=$(peak_column "$TMP/postfix-dovecot.samples" 4)
  PD_PEAK_PSS_KIB=$(peak_column "$TMP/postfix-dovecot.samples" 5)
  PD_PEAK_PROCS=$(awk '$3 > m { m = $3; n = $2 } END { print n + 0 }' "$TMP/postfix-dovecot.samples")
  PD_PEAK_NAMES=$(peak_names "$TMP/postfix-dovecot.samples")
  log "postfix+dovecot: peak sum of VmHWM $(kib_to_mib "$PD_PEAK_HWM_KIB") MiB over $PD_PEAK_PROCS processes"

  second_load postfix-dovecot "$PF_SMTP_PORT" "$url" $roots
  PD2_ACCEPT_MS=$WARM_ACCEPT_MS
  PD2_DELIVER_MS=$WARM_DELIVER_MS
  PD2_CPU_MS=$WARM_CPU_MS
  PD2_BUSY_BEFORE=$WARM_BUSY_BEFORE

  local t0
  t0=$(now_ms)
  stop_postfix
  stop_dovecot
  PD_STOP_MS=$(($(now_ms) - t0))
}

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

# xmx_mib FLAGS: the -Xmx value in MiB (empty when absent).
xmx_mib() {
  awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^-Xmx[0-9]+[kKmMgG]?$/) {
           v = substr($i, 5); u = tolower(substr(v, length(v))); n = v + 0
           if (u == "g") n *= 1024; else if (u == "k") n /= 1024; else if (u ~ /[0-9]/) n /= 1048576
           print n } }' <<<"$1"
}

# source_version: the commit measured, and whether the work tree (outside bench/) had changes.
source_version() {
  local head dirty
  head=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) || { echo "commit unknown (no git)"; return; }
  dirty=$(git -C "$REPO" status --porcelain -- . ':(exclude)bench' 2>/dev/null | head -n 1)
  echo "commit $head${dirty:+ plus uncommitted changes}"
}

yes_no() { awk -v c="$1" 'BEGIN { print (c ? "yes" : "**no**") }'; }

report() {
  local mp_acc mp_del pd_acc pd_del r_acc r_del idle_mib xmx idle_ok del_ok
  mp_acc=$(rate "$MESSAGES" "$MP_ACCEPT_MS")
  mp_del=$(rate "$MESSAGES" "$MP_DELIVER_MS")
  pd_acc=$(rate "$MESSAGES" "$PD_ACCEPT_MS")
  pd_del=$(rate "$MESSAGES" "$PD_DELIVER_MS")
  r_acc=$(ratio "$mp_acc" "$pd_acc")
  r_del=$(ratio "$mp_del" "$pd_del")
  idle_mib=$(kib_to_mib "$MP_IDLE_RSS_KIB")
  xmx=$(xmx_mib "$MP_FLAGS")
  idle_ok=$(yes_no "$(awk -v r="$idle_mib" -v x="${xmx:-999999}" 'BEGIN { print (r <= 300 && x <= 256) }')")
  del_ok=$(yes_no "$(awk -v a="$mp_del" -v b="$pd_del" 'BEGIN { print (a >= 0.5 * b) }')")
  local mp2_acc mp2_del pd2_acc pd2_del del2_ok
  mp2_acc=$(rate "$MESSAGES" "$MP2_ACCEPT_MS")
  mp2_del=$(rate "$MESSAGES" "$MP2_DELIVER_MS")
  pd2_acc=$(rate "$MESSAGES" "$PD2_ACCEPT_MS")
  pd2_del=$(rate "$MESSAGES" "$PD2_DELIVER_MS")
  del2_ok=$(yes_no "$(awk -v a="$mp2_del" -v b="$pd2_del" 'BEGIN { print (a >= 0.5 * b) }')")
  local core_del core2_del
  core_del=$(rate "$MESSAGES" "$CORE_DELIVER_MS")
  core2_del=$(rate "$MESSAGES" "$CORE2_DELIVER_MS")

  local pd_idle_n pd_idle_rss pd_idle_pss
  read -r pd_idle_n _ pd_idle_rss pd_idle_pss _ <<<"$PD_IDLE"

  local note=""
  [[ $MESSAGES == 2000 ]] || note="**Smoke run with BENCH_MESSAGES=$MESSAGES: not the specified load of 2000 messages.**"

  # Everything from the line "<!-- kept by bench.sh -->" on (hand-written notes, the sections of
  # bench/dkim.sh and bench/select.sh) survives the rewrite.
  local kept=""
  [[ -f $RESULTS_FILE ]] && kept=$(awk '/^<!-- kept by bench.sh -->/ { found = 1 } found' "$RESULTS_FILE")
  {
    echo "# mailpack benchmark results"
    echo
    echo "Written by \`bench/bench.sh\`; method and noise in [README.md](README.md).${note:+ $note}"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- nproc: $(nproc)"
    echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "- Memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- Kernel: $(uname -r)"
    echo "- Postfix $(postconf -h mail_version 2>/dev/null), Dovecot $(dovecot --version 2>/dev/null)"
    echo "- mailpack: $(source_version), jar built $(date -u -r "$JAR" '+%Y-%m-%d %H:%M UTC')$JAR_STALE"
    echo "- mailpack JVM flags: \`$MP_FLAGS\`"
    echo "- Load: \`smtp-source -s $SESSIONS -m $MESSAGES -l $MSG_BYTES -f $SENDER -t $RCPT 127.0.0.1:<port>\`"
    echo
    echo '```'
    java -version 2>&1
    echo '```'
    echo
    echo "| Metric | mailpack | Postfix + Dovecot | mailpack / P+D | Target | Met |"
    echo "| --- | ---: | ---: | ---: | --- | --- |"
    echo "| Start-up, restart: process start → SMTP port accepts (ms) | $MP_RESTART_PORT_MS | $PD_STARTUP_MS | $(ratio "$MP_RESTART_PORT_MS" "$PD_STARTUP_MS") | – | – |"
    echo "| Start-up, restart: process start → \"mailpack is running\" (ms) | $MP_RESTART_RUNNING_MS | – | – | – | – |"
    echo "| Start-up, first start on empty var/: → SMTP port accepts (ms) | $MP_FIRST_PORT_MS | – | – | – | – |"
    echo "| Start-up, first start on empty var/: → \"mailpack is running\" (ms) | $MP_FIRST_RUNNING_MS | – | – | – | – |"
    echo "| Shutdown: SIGTERM → process gone (ms) (SIGKILL after $((MAILPACK_STOP_TIMEOUT_S * 1000))) | $MP_STOP_MS | $PD_STOP_MS | – | – | – |"
    echo "| Idle RSS, ${IDLE_SAMPLE_S} s after start (MiB) | $idle_mib | $(kib_to_mib "$pd_idle_rss") (Σ $pd_idle_n processes, before load) | – | ≤ 300 MiB with -Xmx ≤ 256m | $idle_ok |"
    echo "| Idle PSS (MiB) | $(kib_to_mib "$MP_IDLE_PSS_KIB") | $(kib_to_mib "$pd_idle_pss") | – | – | – |"
    echo "| CPU busy in the 2 s before the load (%, all cores; mailpack's includes its own idle JVM) | $MP_BUSY_BEFORE | $PD_BUSY_BEFORE | – | – | – |"
    echo "| smtp-source wall time (s) | $(secs "$MP_ACCEPT_MS") | $(secs "$PD_ACCEPT_MS") | – | – | – |"
    echo "| Accepted msg/s | $mp_acc | $pd_acc | $r_acc | – | – |"
    echo "| Load start → $MESSAGES in INBOX (s) | $(secs "$MP_DELIVER_MS") | $(secs "$PD_DELIVER_MS") | – | – | – |"
    echo "| Delivered-into-INBOX msg/s | $mp_del | $pd_del | $r_del | ≥ 0.5 × P+D | $del_ok |"
    echo "| Server CPU time, load start → all in INBOX (s) | $(secs "$MP_CPU_MS") | $(secs "$PD_CPU_MS") | $(ratio "$MP_CPU_MS" "$PD_CPU_MS") | – | – |"
    echo "| Server CPU time per message (ms) | $(awk -v c="$MP_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | $(awk -v c="$PD_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | – | – | – |"
    echo "| Other CPU time on the machine meanwhile (s): smtp-source, the IMAP poll, sampler, foreign work | $(secs "$MP_OTHER_CPU_MS") | $(secs "$PD_OTHER_CPU_MS") | – | – | – |"
    echo "| CPU time stolen by the hypervisor meanwhile (s; /proc/stat steal, all cores) | $(secs "$MP_STEAL_MS") | $(secs "$PD_STEAL_MS") | – | – | – |"
    echo "| Peak RSS during load (MiB): JVM VmHWM / max over 1 s samples of Σ VmHWM | $(kib_to_mib "$MP_PEAK_HWM_KIB") | $(kib_to_mib "$PD_PEAK_HWM_KIB") ($PD_PEAK_PROCS processes) | $(ratio "$MP_PEAK_HWM_KIB" "$PD_PEAK_HWM_KIB") | – | – |"
    echo "| Peak Σ VmRSS during load (MiB) | – | $(kib_to_mib "$PD_PEAK_RSS_KIB") | – | – | – |"
    echo "| Peak Σ PSS during load (MiB) | $(kib_to_mib "$MP_PEAK_PSS_KIB") | $(kib_to_mib "$PD_PEAK_PSS_KIB") | $(ratio "$MP_PEAK_PSS_KIB" "$PD_PEAK_PSS_KIB") | – | – |"
    echo "| **Second load** of $MESSAGES on the same running servers: CPU busy before it (%) | $MP2_BUSY_BEFORE | $PD2_BUSY_BEFORE | – | – | – |"
    echo "| Second load: accepted msg/s | $mp2_acc | $pd2_acc | $(ratio "$mp2_acc" "$pd2_acc") | – | – |"
    echo "| Second load: delivered-into-INBOX msg/s | $mp2_del | $pd2_del | $(ratio "$mp2_del" "$pd2_del") | ≥ 0.5 × P+D | $del2_ok |"
    echo "| Second load: server CPU time per message (ms) | $(awk -v c="$MP2_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | $(awk -v c="$PD2_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | – | – | – |"
    echo "| Second load: JVM VmHWM after it (MiB) | $(kib_to_mib "$MP2_PEAK_HWM_KIB") | – | – | – | – |"
    echo "| **James' core path only** (the same server, no mailpack check or mailet on the way: \`bench/core-chain.py\`): delivered msg/s, first load | $core_del | $pd_del | $(ratio "$core_del" "$pd_del") | – | – |"
    echo "| James' core path only: server CPU time per message, first load (ms) | $(awk -v c="$CORE_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | $(awk -v c="$PD_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | – | – | – |"
    echo "| James' core path only: delivered msg/s, second load | $core2_del | $pd2_del | $(ratio "$core2_del" "$pd2_del") | – | – |"
    echo "| James' core path only: server CPU time per message, second load (ms) | $(awk -v c="$CORE2_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | $(awk -v c="$PD2_CPU_MS" -v n="$MESSAGES" 'BEGIN { printf "%.1f", c / n }') | – | – | – |"
    echo
    echo "The first load reaches a freshly restarted JVM: it includes the JIT compiling the code of a"
    echo "delivery (C1 only with the shipped flags). The second load, on the same running servers, is"
    echo "what a server that has been up for a while does; both are reported, neither replaces the other."
    echo
    echo "\"James' core path only\" is mailpack's server (same jar, flags and storage) with its port 25"
    echo "checks and its mailets taken out, LocalDelivery as the whole chain: SMTP, the ActiveMQ queue, the"
    echo "spooler, the JPA/Derby append and the Lucene index. It shows which part of the gap to"
    echo "Postfix + Dovecot no change to mailpack's own chain can close."
    echo
    echo "Postfix + Dovecot processes in the sample with the largest Σ VmHWM: $PD_PEAK_NAMES."
    echo "(\"lmtp\" and \"anvil\" exist in both: Postfix's LMTP client and Dovecot's LMTP server.)"
    echo
    echo "How the memory figures are taken:"
    echo
    echo "- mailpack is one JVM process: idle RSS is VmRSS of /proc/<pid>/status ${IDLE_SAMPLE_S} s after the second"
    echo "  start (a restart on existing data), before any client touched it; peak RSS is its VmHWM (high-water mark) read"
    echo "  after all messages were in the INBOX (it includes start-up)."
    echo "- Postfix + Dovecot are many processes (master, smtpd ×$SESSIONS, cleanup, qmgr, trivial-rewrite,"
    echo "  lmtp, anvil, postlogd; dovecot, lmtp, auth, imap-login, imap, log, config, stats...), several of"
    echo "  them short-lived. Every second during the load, all live descendants of the postfix and dovecot"
    echo "  master processes are listed and their VmHWM, VmRSS and PSS (/proc/<pid>/smaps_rollup) summed;"
    echo "  the table gives the largest sum seen. Σ VmHWM is the figure comparable to the JVM's VmHWM but"
    echo "  overstates real use, because pages shared between processes (libc, Postfix and Dovecot"
    echo "  libraries) count once per process; Σ PSS divides shared pages between their users and is the"
    echo "  fairer estimate of what the system needs. The JVM was sampled the same way for its PSS column."
    if [[ -n $kept ]]; then
      echo
      echo "$kept"
    fi
  } >"$RESULTS_FILE"

  echo
  cat "$RESULTS_FILE"
  echo
  log "wrote $RESULTS_FILE"
}

main() {
  [[ $(id -u) == 0 ]] || die "run as root (apt-get, and postfix/dovecot switch to their own users)"
  [[ $MESSAGES =~ ^[1-9][0-9]*$ ]] || die "BENCH_MESSAGES must be a positive integer"
  install_packages
  build_mailpack
  SMTP_SOURCE=$(smtp_source_bin)

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  TMP=$(mktemp -d /tmp/mailpack-bench.XXXXXX)
  # Postfix and Dovecot drop to their own users, which must be able to reach their directories.
  chmod 755 "$TMP"
  log "working in $TMP"

  bench_mailpack
  bench_mailpack_core
  bench_postfix_dovecot
  report
}

main "$@"
