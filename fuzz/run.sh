#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/pom.xml, outside the reactor: never run by `mvn install` or CI) and
# runs each one with Jazzer for the given time, two at a time, niced; prints per target the
# executions, executions per second and findings. docs/fuzzing.md says what each target checks.
#
#   fuzz/run.sh [seconds-per-target] [target...]       default: 600 s, every target
#   MVN_FLAGS="-Dmaven.repo.local=/path/m2" fuzz/run.sh 60 SpfCheck
#   FUZZ_SKIP_BUILD=1 fuzz/run.sh ...                   reuse fuzz/target as built
#   fuzz/run.sh summary <seconds> <target...>            the table again, from the logs
#
# Per target: new corpus entries in fuzz/target/corpus/<target>, findings (crash-*, timeout-*,
# oom-* inputs and Jazzer's Java reproducers) in fuzz/target/findings/<target>, the log in
# fuzz/target/logs/<target>.log. Replay one finding: fuzz/run.sh replay <target> <file>.
# fuzz/dict/<target>.dict: libFuzzer dictionaries (the syntax's keywords), used when present.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
target_dir="$here/target"
parallel="${FUZZ_PARALLEL:-2}"

# name  class  max input length (a little over the parser's own limit, so that limit is exercised)
TARGETS=(
  "RcptAddress            com.diegonmarcos.mailpack.routing.RcptAddressFuzzer          1024"
  "DkimTagList            com.diegonmarcos.mailpack.dkim.DkimTagListFuzzer             20000"
  "DkimSignature          com.diegonmarcos.mailpack.dkim.DkimSignatureFuzzer           20000"
  "DkimVerifier           com.diegonmarcos.mailpack.dkim.DkimVerifierFuzzer            16384"
  "SpfRecord              com.diegonmarcos.mailpack.spf.SpfRecordFuzzer                16384"
  "SpfCheck               com.diegonmarcos.mailpack.spf.SpfCheckFuzzer                 16384"
  "DmarcRecord            com.diegonmarcos.mailpack.dmarc.DmarcRecordFuzzer            10000"
  "RspamdReply            com.diegonmarcos.mailpack.rspamd.RspamdReplyFuzzer           65536"
  "ClamdReply             com.diegonmarcos.mailpack.clamav.ClamdReplyFuzzer            8192"
  "AuthenticationResults  com.diegonmarcos.mailpack.dkim.AuthenticationResultsFuzzer   4096"
)
INCLUDES="com.diegonmarcos.**:org.apache.james.core.**:javax.mail.internet.**:com.fasterxml.jackson.**:com.google.common.net.**:org.bouncycastle.asn1.**"

build() {
  if [[ -n "${FUZZ_SKIP_BUILD:-}" ]]; then
    return
  fi
  echo "fuzz: building mailets and the fuzz targets"
  # shellcheck disable=SC2086
  (cd "$root" && mvn -B -q ${MVN_FLAGS:-} install -DskipTests -pl mailets -am)
  # shellcheck disable=SC2086
  (cd "$root" && mvn -B -q ${MVN_FLAGS:-} -f fuzz/pom.xml package)
  rm -rf "$target_dir/seeds"
  python3 "$here/seeds.py" "$root" "$target_dir/seeds"
}

classpath() {
  echo "$target_dir/mailpack-fuzz-0.1.0-SNAPSHOT.jar:$target_dir/lib/*"
}

lookup() {
  local name="$1" line
  for line in "${TARGETS[@]}"; do
    read -r n class max <<<"$line"
    if [[ "$n" == "$name" ]]; then
      echo "$class $max"
      return
    fi
  done
  echo "fuzz: unknown target $name" >&2
  exit 2
}

run_one() {
  local name="$1" seconds="$2" class max
  read -r class max <<<"$(lookup "$name")"
  local corpus="$target_dir/corpus/$name" findings="$target_dir/findings/$name" log="$target_dir/logs/$name.log"
  mkdir -p "$corpus" "$findings" "$target_dir/logs" "$target_dir/seeds/$name"
  local dict=()
  if [[ -f "$here/dict/$name.dict" ]]; then
    dict=(-dict="$here/dict/$name.dict")
  fi
  echo "fuzz: $name for ${seconds}s"
  # -timeout is only the backstop for an input that never returns: the targets themselves fail an
  # input that costs more than 1 s of CPU (fuzz.Budget), which a loaded machine cannot fake
  nice -n 15 java -Xmx1g -cp "$(classpath)" com.code_intelligence.jazzer.Jazzer \
    --target_class="$class" --instrumentation_includes="$INCLUDES" --keep_going=100 \
    --reproducer_path="$findings" \
    -artifact_prefix="$findings/" -max_total_time="$seconds" -max_len="$max" -timeout=60 -rss_limit_mb=3072 \
    -print_final_stats=1 "${dict[@]}" "$corpus" "$target_dir/seeds/$name" >"$log" 2>&1 || true
}

summary() {
  local seconds="$1"; shift
  printf '\n%-22s %8s %12s %8s %8s\n' target seconds executions exec/s findings
  local name log runs time findings
  for name in "$@"; do
    log="$target_dir/logs/$name.log"
    runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)"
    time="$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $5}' || true)"
    findings="$(find "$target_dir/findings/$name" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
    runs="${runs:-0}"; time="${time:-$seconds}"
    printf '%-22s %8s %12s %8s %8s\n' "$name" "$time" "$runs" "$(( runs / (time > 0 ? time : 1) ))" "$findings"
  done
  echo
  for name in "$@"; do
    if grep -q '== Java Exception\|ERROR: libFuzzer' "$target_dir/logs/$name.log"; then
      echo "== $name findings (fuzz/target/logs/$name.log):"
      grep -A3 '== Java Exception\|ERROR: libFuzzer' "$target_dir/logs/$name.log" | head -40
    fi
  done
}

if [[ "${1:-}" == "replay" ]]; then
  shift
  read -r class _ <<<"$(lookup "$1")"
  exec java -Xmx1g -cp "$(classpath)" com.code_intelligence.jazzer.Jazzer --target_class="$class" \
    --instrumentation_includes="$INCLUDES" "$2"
fi

if [[ "${1:-}" == "summary" ]]; then
  shift
  seconds="$1"
  shift
  summary "$seconds" "$@"
  exit
fi

seconds="${1:-600}"
shift || true
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  for line in "${TARGETS[@]}"; do
    read -r n _ <<<"$line"
    names+=("$n")
  done
fi
for name in "${names[@]}"; do lookup "$name" >/dev/null; done

build
running=0
for name in "${names[@]}"; do
  run_one "$name" "$seconds" &
  running=$((running + 1))
  if (( running >= parallel )); then
    wait -n
    running=$((running - 1))
  fi
done
wait
summary "$seconds" "${names[@]}"
