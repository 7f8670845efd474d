#!/usr/bin/env bash
# bench/ratelimit.sh: what the rate limits cost per message (JMH RateLimitBenchmark, bench/ module) with
# the memory store and with a real redis-server on loopback. Prints µs/op and rewrites only the
# "Rate limits" section of bench/RESULTS.md (between its markers; appended when absent).
#
#   bash bench/ratelimit.sh        (from any directory; needs Maven, Java 17, redis-server)
#
# Environment: RATELIMIT_JMH_ARGS (extra JMH arguments), RATELIMIT_QUIET_WAIT_S=180 (how long to wait for
# the CPUs to be at most 20 % busy before measuring; 0: do not wait).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS=$BENCH_DIR/RESULTS.md
OUT=$BENCH_DIR/target
cd "$REPO"

log() { printf '[ratelimit-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
[ -x /usr/sbin/redis-server ] || [ -x /usr/bin/redis-server ] ||
  { log "redis-server missing: apt-get install -y --no-install-recommends redis-server"; exit 1; }

log "building bench/ (mvn -Pbench -pl bench -am package)"
mvn -B -q -o -Pbench -pl bench -am package -DskipTests
CP="$OUT/classes:$OUT/lib/*"

REDIS_DIR=$(mktemp -d /tmp/mailpack-ratelimit-bench.XXXXXX)
REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --save '' --appendonly no \
  --logfile "$REDIS_DIR/redis.log" --daemonize no &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; rm -rf "$REDIS_DIR"' EXIT
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
REDIS_VERSION=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')

cpu_busy_pct() {
  local a b
  a=$(head -n 1 /proc/stat); sleep "$1"; b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d; if (i == 5 || i == 6) idle += d }
    printf "%.0f", (t > 0 ? 100 * (t - idle) / t : 0) }'
}
deadline=$((SECONDS + ${RATELIMIT_QUIET_WAIT_S:-180}))
busy_before=$(cpu_busy_pct 2)
while ((busy_before > 20 && SECONDS < deadline)); do
  log "CPUs ${busy_before}% busy: waiting for a quieter moment (RATELIMIT_QUIET_WAIT_S=${RATELIMIT_QUIET_WAIT_S:-180})"
  sleep 8
  busy_before=$(cpu_busy_pct 2)
done
log "CPUs ${busy_before}% busy before the run (other work skews the figures)"

log "JMH: RateLimitBenchmark, memory and redis (about 1 minute)"
# shellcheck disable=SC2086
java -Dratelimit.redis="redis://127.0.0.1:$REDIS_PORT" -cp "$CP" org.openjdk.jmh.Main RateLimitBenchmark \
  -rf json -rff "$OUT/ratelimit-jmh.json" ${RATELIMIT_JMH_ARGS:-} >"$OUT/ratelimit-jmh.log"

python3 - "$OUT/ratelimit-jmh.json" "$RESULTS" "$busy_before" "$(nproc)" \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" "$(java -version 2>&1 | head -n1)" \
  "$(git -C "$REPO" rev-parse --short HEAD)" "$REDIS_VERSION" <<'PY'
import json, sys, datetime, os
jmh_file, results_file, busy, nproc, cpu, java, commit, redis = sys.argv[1:]
scores = {}
for run in json.load(open(jmh_file)):
    name = run['benchmark'].rsplit('.', 1)[1]
    scores[(name, run['params']['store'])] = (run['primaryMetric']['score'], run['primaryMetric']['scoreError'])
rows = []
for name, what in (('inboundMessage', 'port 25: connection + MAIL + one RCPT (3 buckets)'),
                   ('submittedMessage', 'submission: MAIL + one RCPT (2 buckets of minute/hour/day)')):
    for store in ('memory', 'redis'):
        score, error = scores[(name, store)]
        rows.append('| %s | %s | %.1f ± %.1f |' % (what, store, score, error))
section = '\n'.join([
    '<!-- ratelimit:start (written by bench/ratelimit.sh) -->',
    '## Rate limits',
    '',
    'Written by `bench/ratelimit.sh` (JMH `RateLimitBenchmark`): the limiter work per message as the SMTP',
    'hooks do it, limits never reached, 2,000 rotating addresses/users, one thread.',
    '',
    '- Date: %s UTC, commit %s' % (datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S'), commit),
    '- nproc: %s; CPU: %s; CPUs %s%% busy in the 2 s before the run' % (nproc, cpu, busy),
    '- %s; JMH 1.37 average time, 1 fork, 4 × 1 s warm-up, 8 × 1 s measurement; redis-server %s on 127.0.0.1' % (java, redis),
    '',
    '| per message | store | µs/op (± 99.9 %) |',
    '| --- | --- | ---: |',
] + rows + [
    '',
    'Redis costs round trips: Bucket4j\'s Lettuce proxy reads a bucket and writes it back with a',
    'compare-and-swap script, two round trips per bucket (all windows of an event are in one bucket), one',
    'after the other; the CPUs are shared with other work, which shows most in the Redis figures.',
    '<!-- ratelimit:end -->',
    ''])
print(section)
text = open(results_file).read() if os.path.exists(results_file) else ''
start, end = text.find('<!-- ratelimit:start'), text.find('<!-- ratelimit:end -->')
if start >= 0 and end > start:
    text = text[:start] + section + text[end + len('<!-- ratelimit:end -->'):].lstrip('\n')
else:
    text = text.rstrip('\n') + '\n\n' + section
open(results_file, 'w').write(text)
PY
log "wrote the Rate limits section of $RESULTS"
