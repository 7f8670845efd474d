#!/usr/bin/env bash
# bench/dkim.sh: what DKIM costs per message in mailpack (JMH, bench/ module) next to dkimpy on the
# same messages and keys: sign with ed25519-sha256 + rsa-sha256, each alone, verify both; 4 KB and
# 100 KB. Prints µs/op and the dkimpy/mailpack ratio, and rewrites only the "DKIM" section of
# bench/RESULTS.md (between its markers; appended when absent). See bench/README.md, "DKIM".
#
#   bash bench/dkim.sh            (from any directory; needs Maven, Java 17, /usr/bin/python3 with python3-dkim, python3-nacl)
#
# Environment: DKIM_BENCH_SECONDS=3 (dkimpy time per measurement), DKIM_JMH_ARGS (extra JMH arguments),
# DKIM_QUIET_WAIT_S=180 (how long to wait for the CPUs to be at most 20 % busy before measuring; 0: do not wait).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS=$BENCH_DIR/RESULTS.md
OUT=$BENCH_DIR/target
TARGET_US=1500   # issue #4: signing both must take at most 1.5 ms per 4 KB message
cd "$REPO"

log() { printf '[dkim-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
/usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null ||
  { log "dkimpy missing: apt-get install -y --no-install-recommends python3-dkim python3-nacl"; exit 1; }

# Only the mailets module and bench are built (package, never install). JMH is fetched once: if this
# fails offline, run the same command once without -o.
log "building bench/ (mvn -Pbench -pl bench -am package)"
mvn -B -q -o -Pbench -pl bench -am package -DskipTests
CP="$OUT/classes:$OUT/lib/*"

# cpu_busy_pct SECONDS: how busy all CPUs were over SECONDS, from /proc/stat (100 = every core busy)
cpu_busy_pct() {
  local a b
  a=$(head -n 1 /proc/stat); sleep "$1"; b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d; if (i == 5 || i == 6) idle += d }
    printf "%.0f", (t > 0 ? 100 * (t - idle) / t : 0) }'
}
# like bench.sh: wait (bounded) for the CPUs to be quiet, other sessions' builds skew everything
deadline=$((SECONDS + ${DKIM_QUIET_WAIT_S:-180}))
busy_before=$(cpu_busy_pct 2)
while ((busy_before > 20 && SECONDS < deadline)); do
  log "CPUs ${busy_before}% busy: waiting for a quieter moment (DKIM_QUIET_WAIT_S=${DKIM_QUIET_WAIT_S:-180})"
  sleep 8
  busy_before=$(cpu_busy_pct 2)
done
log "CPUs ${busy_before}% busy before the run (other work skews the figures)"

java -cp "$CP" com.diegonmarcos.mailpack.bench.DkimBenchData "$OUT/dkim-data" >/dev/null
log "JMH: DkimBenchmark (about 2 minutes)"
# shellcheck disable=SC2086
java -cp "$CP" org.openjdk.jmh.Main DkimBenchmark -rf json -rff "$OUT/dkim-jmh.json" ${DKIM_JMH_ARGS:-} >"$OUT/dkim-jmh.log"
log "dkimpy on the same messages and keys"
/usr/bin/python3 "$BENCH_DIR/dkim_dkimpy.py" "$OUT/dkim-data" "${DKIM_BENCH_SECONDS:-3}" >"$OUT/dkim-dkimpy.txt"

/usr/bin/python3 - "$OUT/dkim-jmh.json" "$OUT/dkim-dkimpy.txt" "$RESULTS" "$TARGET_US" "$busy_before" "$(nproc)" \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" "$(java -version 2>&1 | head -n1)" \
  "$(git -C "$REPO" rev-parse --short HEAD)" "$(/usr/bin/python3 -c 'import importlib.metadata as m; print(m.version("dkimpy"))' 2>/dev/null || echo '?')" <<'PY'
import json, sys, datetime
jmh_file, dkimpy_file, results_file, target, busy, nproc, cpu, java, commit, dkimpy_version = sys.argv[1:]
ours = {}
for run in json.load(open(jmh_file)):
    name = run['benchmark'].rsplit('.', 1)[1]
    size = int(run['params']['size'])
    metric = run['primaryMetric']
    ours[(name, size)] = (metric['scorePercentiles']['50.0'], metric['score'], metric['scoreError'])
theirs = {}
for line in open(dkimpy_file):
    name, size, median, mean, count = line.split()
    theirs[(name, int(size))] = (float(median), float(mean))
rows = []
for size in (4096, 102400):
    for name in ('signBoth', 'signEd25519', 'signRsa', 'verifyBoth'):
        median, mean, error = ours[(name, size)]
        other = theirs.get((name, size))
        ratio = '%.1f' % (other[0] / median) if other else 'n/a'
        met = ''
        if name == 'signBoth' and size == 4096:
            met = ('yes' if median <= float(target) else '**no**') + ' (mean: ' + ('yes' if mean <= float(target) else 'no') + ')'
        rows.append('| %s | %s | %.0f | %.0f ± %.0f | %s | %s | %s |' % (name, '4 KB' if size == 4096 else '100 KB', median, mean,
            error, '%.0f / %.0f' % other if other else 'n/a', ratio, met))
section = '\n'.join([
    '<!-- dkim:start (written by bench/dkim.sh; bench.sh keeps everything from "kept by bench.sh" on) -->',
    '## DKIM',
    '',
    'Written by `bench/dkim.sh`; method in [README.md](README.md#dkim).',
    '',
    '- Date: %s UTC, commit %s' % (datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S'), commit),
    '- nproc: %s; CPU: %s; CPUs %s%% busy in the 2 s before the run' % (nproc, cpu, busy),
    '- %s; JMH 1.37 sample mode (every call timed), 1 fork, 4 × 1 s warm-up, 8 × 1 s measurement, one thread' % java,
    '- dkimpy %s (Debian python3-dkim; RSA in pure Python, Ed25519 through PyNaCl/libsodium)' % dkimpy_version,
    '',
    '| operation | message | mailpack median µs | mailpack mean µs (± 99.9 %%) | dkimpy median / mean µs | dkimpy / mailpack (medians) | median ≤ %s µs |' % target,
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
] + rows + [
    '',
    '`signBoth` is what DkimSign does per message (one body hash, an ed25519-sha256 and an rsa-sha256',
    'signature); `verifyBoth` checks both signatures with the keys in memory (no DNS time). Medians',
    'because the 2 CPUs are shared with other work: its bursts inflate means (and their error bars) more.',
    '<!-- dkim:end -->',
    ''])
print(section)
text = open(results_file).read() if __import__('os').path.exists(results_file) else ''
start, end = text.find('<!-- dkim:start'), text.find('<!-- dkim:end -->')
if start >= 0 and end > start:
    text = text[:start] + section + text[end + len('<!-- dkim:end -->'):].lstrip('\n')
else:
    text = text.rstrip('\n') + '\n\n' + section
open(results_file, 'w').write(text)
PY
log "wrote the DKIM section of $RESULTS"
