#!/usr/bin/env bash
# bench/imap-search.sh: IMAP SEARCH by substring (FROM, SUBJECT, TEXT, BODY) on a folder of N messages,
# mailpack and Dovecot side by side in the same run (bench/imap-search.py does the filling and timing).
#
#   bash bench/imap-search.sh [N] [REPEAT]     (default 10000 messages, median of 5; root: Dovecot drops to 'mail')
#
# mailpack: the built jar with the shipped JVM flags (bin/mailpack's JVM_FLAGS), a fresh home in a temp
# directory, random high ports on 127.0.0.1. Dovecot: a private instance (own config, base_dir, maildir
# and ports in the same temp directory; the system service is not touched), plain IMAP on 127.0.0.1.
# The two fill and search one after the other, never at the same time. Prints a Markdown table; with
# the RSS of mailpack's JVM before and during the searches.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
N=${1:-10000}
REPEAT=${2:-5}
JAR=$REPO/guice-modules/target/mailpack-server.jar
[[ -f $JAR ]] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 1; }
command -v dovecot >/dev/null || { echo "dovecot not found: apt-get install dovecot-imapd" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "run as root (Dovecot's mail processes run as user 'mail')" >&2; exit 1; }
flags=$(sed -n 's/^JVM_FLAGS=.*:-"\(.*\)"}[[:space:]]*$/\1/p' "$REPO/bin/mailpack")
PASSWORD=search-bench-passphrase-0001
USER=diego@diegonmarcos.com
TMP=$(mktemp -d /tmp/mailpack-search.XXXXXX)
chmod 755 "$TMP"   # Dovecot's auth (user dovecot) and mail (user mail) processes read below it
MP_PID=""
DC_PID=""
cleanup() {
  for pid in $MP_PID $DC_PID; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$TMP"
  return 0
}
trap cleanup EXIT

wait_port() { # PORT PID NAME
  for _ in $(seq 1 120); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 1
  done
  echo "$3 did not start" >&2; exit 1
}

# --- mailpack ---
mkdir -p "$TMP/mailpack" && cp -r "$REPO/conf" "$TMP/mailpack/"
base=$((20000 + RANDOM % 20000))
# shellcheck disable=SC2086
java $flags -Dworking.directory="$TMP/mailpack" -Dlogback.configurationFile="$TMP/mailpack/conf/logback.xml" -jar "$JAR" \
  --home "$TMP/mailpack" --set MAILPACK_BIND_ADDRESS=127.0.0.1 --set MAILPACK_SMTP_PORT=$base \
  --set MAILPACK_SUBMISSION_PORT=$((base + 1)) --set MAILPACK_SMTPS_PORT=$((base + 2)) --set MAILPACK_IMAP_PORT=$((base + 3)) \
  --set MAILPACK_IMAPS_PORT=$((base + 4)) --set MAILPACK_POP3S_PORT=$((base + 5)) --set MAILPACK_WEBADMIN_PORT=$((base + 6)) \
  >"$TMP/mailpack/server.log" 2>&1 &
MP_PID=$!
for _ in $(seq 1 120); do grep -q "mailpack is running" "$TMP/mailpack/server.log" && break; sleep 1; done
grep -q "mailpack is running" "$TMP/mailpack/server.log" || { echo "mailpack did not start" >&2; tail "$TMP/mailpack/server.log" >&2; exit 1; }
curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $(cat "$TMP/mailpack/var/webadmin/admin.token")" \
  -H 'Content-Type: application/json' -d "{\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$((base + 6))/users/$USER"

# --- Dovecot, private ---
d=$TMP/dovecot
mkdir -p "$d/run" "$d/state" "$d/mail"
chown mail:mail "$d/mail"
dc_port=$((base + 10))
printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$USER" "$PASSWORD" "$(id -u mail)" "$(id -g mail)" "$d/mail/diego" >"$d/users"
chgrp dovecot "$d/users" && chmod 640 "$d/users"
cat >"$d/dovecot.conf" <<EOF
# Private Dovecot for bench/imap-search.sh: nothing here touches /etc/dovecot, /run or /var.
instance_name = mailpack-search-bench
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = $(id -u mail)
mail_location = maildir:$d/mail/diego
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
    port = $dc_port
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
dovecot -F -c "$d/dovecot.conf" >"$d/stdout.log" 2>&1 </dev/null &
DC_PID=$!
wait_port "$dc_port" "$DC_PID" dovecot

echo "## IMAP SEARCH on $N messages ($(nproc) cores, commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
/usr/bin/python3 "$BENCH_DIR/imap-search.py" --messages "$N" --repeat "$REPEAT" \
  --target "mailpack:127.0.0.1:$((base + 4)):tls:$USER:$PASSWORD:$MP_PID" \
  --target "dovecot:127.0.0.1:$dc_port:plain:$USER:$PASSWORD"
