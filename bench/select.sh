#!/usr/bin/env bash
# bench/select.sh: how long the first IMAP SELECT of an INBOX takes after N deliveries (it clears \Recent
# on every new message, and the search index must record that), with mailpack's batched flag indexing and
# with James' own per-message indexing (-Dmailpack.search.perMessageFlags=true), same jar, same run.
#
#   bash bench/select.sh [N]       (default N=1000; needs postfix's smtp-source, curl, python3)
#
# Each variant: a fresh server in a temp directory on random high ports, the shipped JVM flags, N x 4 KB
# messages over port 25 (smtp-source, 10 sessions), wait until all are in INBOX (bench/imap-wait.py, no
# SELECT), then time SELECT INBOX in a new IMAPS session, then once more (nothing recent: the baseline).
# Prints a Markdown section and puts it into bench/RESULTS.md (between the select:start/end markers).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
N=${1:-1000}
JAR=$REPO/guice-modules/target/mailpack-server.jar
[[ -f $JAR ]] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
SMTP_SOURCE=/usr/sbin/smtp-source
[[ -x $SMTP_SOURCE ]] || { echo "smtp-source not found: apt-get install postfix" >&2; exit 1; }
flags=$(sed -n 's/^JVM_FLAGS=.*:-"\(.*\)"}[[:space:]]*$/\1/p' "$REPO/bin/mailpack")
PASSWORD=select-bench-passphrase-0001
USER=diego@diegonmarcos.com
PID=""
HOME_DIR=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; [[ -n $HOME_DIR ]] && rm -rf "$HOME_DIR"; return 0; }
trap cleanup EXIT

# run LABEL EXTRA_JVM_FLAG...: prints "LABEL first_select_ms second_select_ms"
run() {
  local label=$1; shift
  HOME_DIR=$(mktemp -d /tmp/mailpack-select.XXXXXX); cp -r "$REPO/conf" "$HOME_DIR/"
  # the load comes from one address: port-25 rate limits off (conf/ratelimits.xml <inbound>)
  sed -i -E '/<inbound>/,/<\/inbound>/ s/per(Minute|Hour|Day)="[0-9]+"/per\1="0"/g' "$HOME_DIR/conf/ratelimits.xml"
  local base=$((20000 + RANDOM % 20000))
  # shellcheck disable=SC2086
  java $flags "$@" -Dworking.directory="$HOME_DIR" -Dlogback.configurationFile="$HOME_DIR/conf/logback.xml" -jar "$JAR" \
    --home "$HOME_DIR" --set MAILPACK_BIND_ADDRESS=127.0.0.1 --set MAILPACK_SMTP_PORT=$base \
    --set MAILPACK_SUBMISSION_PORT=$((base + 1)) --set MAILPACK_SMTPS_PORT=$((base + 2)) --set MAILPACK_IMAP_PORT=$((base + 3)) \
    --set MAILPACK_IMAPS_PORT=$((base + 4)) --set MAILPACK_POP3S_PORT=$((base + 5)) --set MAILPACK_WEBADMIN_PORT=$((base + 6)) \
    >"$HOME_DIR/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 120); do grep -q "mailpack is running" "$HOME_DIR/server.log" && break; sleep 1; done
  grep -q "mailpack is running" "$HOME_DIR/server.log" || { echo "$label: server did not start" >&2; tail "$HOME_DIR/server.log" >&2; exit 1; }
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $(cat "$HOME_DIR/var/webadmin/admin.token")" -H 'Content-Type: application/json' \
    -d "{\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$((base + 6))/users/$USER"
  "$SMTP_SOURCE" -s 10 -m "$N" -l 4096 -f a@example.org -t "$USER" "127.0.0.1:$base"
  /usr/bin/python3 "$BENCH_DIR/imap-wait.py" "$label" "imaps://127.0.0.1:$((base + 4))" "$USER" "$PASSWORD" "$N" 600000 2>/dev/null
  /usr/bin/python3 - "$label" $((base + 4)) "$USER" "$PASSWORD" <<'PY'
import imaplib, ssl, sys, time
label, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
times = []
for _ in range(2):
    imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context)
    imap.login(user, password)
    start = time.monotonic(); imap.select("INBOX"); times.append((time.monotonic() - start) * 1000)
    try:
        imap.logout()
    except (imaplib.IMAP4.abort, OSError):
        pass  # the server may close right after its BYE
print(f"{label} {times[0]:.0f} {times[1]:.0f}")
PY
  cleanup; PID=""; HOME_DIR=""
}

batched=$(run batched)
james=$(run per-message -Dmailpack.search.perMessageFlags=true)
read -r _ b1 b2 <<<"$batched"
read -r _ j1 j2 <<<"$james"
[[ -n $b1 && -n $j1 ]] || { echo "a run did not report its SELECT times (batched: '$batched', per-message: '$james')" >&2; exit 1; }
ratio=$(awk -v b="$b1" -v j="$j1" 'BEGIN { if (b > 0) printf "%.1f", j / b; else print "n/a" }')
section=$(cat <<MD
<!-- select:start (written by bench/select.sh) -->
## First SELECT after $N deliveries

Written by \`bench/select.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown).
The first SELECT of an INBOX clears \\Recent on every new message and the search index records it.

| flag indexing | first SELECT (ms) | second SELECT, nothing recent (ms) |
| --- | ---: | ---: |
| mailpack: one index reader per flag-change event (BatchedFlagsLuceneSearchIndex) | $b1 | $b2 |
| James 3.8.1: one near-real-time reader per message (\`-Dmailpack.search.perMessageFlags=true\`) | $j1 | $j2 |

James / mailpack: **$ratio ×**.
<!-- select:end -->
MD
)
echo "$section"
/usr/bin/python3 - "$BENCH_DIR/RESULTS.md" "$section" <<'PY'
import os, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read() if os.path.exists(path) else ''
start, end = text.find('<!-- select:start'), text.find('<!-- select:end -->')
if start >= 0 and end > start:
    text = text[:start] + section + text[end + len('<!-- select:end -->'):]
else:
    text = text.rstrip('\n') + '\n\n' + section + '\n'
open(path, 'w').write(text)
PY
echo "wrote the SELECT section of $BENCH_DIR/RESULTS.md" >&2
