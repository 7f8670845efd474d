#!/usr/bin/env bash
# docker/build-and-test.sh: build mailpack's container image and test it end to end.
#
#   bash docker/build-and-test.sh                   last line: "docker: N passed, M failed"; exit 1 on failure
#   bash docker/build-and-test.sh --write-results   also write the figures to docker/RESULTS.md
#
# Engine: Docker when a Docker engine answers (`docker info`), else podman (Debian packages podman + runc,
# installed when missing) with runc, cgroupfs and no default ulimits, from a private containers.conf.
# Base image: with Docker, debian:bookworm-slim. With podman (no registry reachable here): a Debian bookworm
# minbase tree made by debootstrap from the mirror in this machine's apt sources, kept as a tarball in the
# cache directory and imported as localhost/mailpack-base:bookworm; remade when older than 7 days.
# Jars: built by the image's Maven stage when a container reaches Maven Central with Debian's CA bundle;
# otherwise on the host (`mvn -B -o package -DskipTests`, skipped when the jar is newer than the sources)
# and given to the Dockerfile's runtime-prebuilt target.
# Then: run the image (host network, free high ports, a test certificate mounted like Let's Encrypt's, a conf
# override), create a user over webadmin, send over 587 (STARTTLS + AUTH), read over 993, stop and start,
# check the message is still there, deliver a load over 25, and report image size, time to healthy and RSS.
#
# Environment:
#   MAILPACK_DOCKER_CACHE       cache directory (default /var/cache/mailpack-docker)
#   MAILPACK_CONTAINER_ENGINE   docker | podman (default: detected as above)
#   MAILPACK_IMAGE_FROM         auto | source | host (default auto, see above)
#   MAILPACK_BASE_IMAGE         base image to use as is (no debootstrap)
#   MAILPACK_BASE_MAX_AGE_DAYS  age in days after which the debootstrap tarball is remade (default 7)
#   MAILPACK_TEST_MESSAGES      messages in the load step (default 1000; 0 skips it)
#   MAILPACK_STRICT_TARGETS=1   count missed targets (image size, time to healthy, RSS) as failures
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 1

write_results=
case "${1:-}" in
  --write-results) write_results=1 ;;
  "") ;;
  *) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

cache=${MAILPACK_DOCKER_CACHE:-/var/cache/mailpack-docker}
messages=${MAILPACK_TEST_MESSAGES:-1000}
strict=${MAILPACK_STRICT_TARGETS:-}
target_image_mb=350 target_healthy_s=20 target_rss_mib=350

script_start_ms=$(date +%s%3N)
started_at=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
passed=0 failed=0
tmp='' name='' ctr='' engine='' base_state='pulled or given' jars_state='built in the image'

pass() { passed=$((passed + 1)); echo "PASS  $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
note() { echo "      $*"; }
die() { fail "$*"; exit 1; }
now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$engine" ] && [ -n "$name" ]; then
    timeout 90 "$engine" stop -t 60 "$name" >/dev/null 2>&1
    timeout 90 "$engine" stop -t 60 "$name-restored" >/dev/null 2>&1
    timeout 90 "$engine" stop -t 60 "$name-pg" "$name-pgr" >/dev/null 2>&1
    timeout 60 "$engine" rm -f "$name" "$name-probe" "$name-restored" "$name-pg" "$name-pgr" >/dev/null 2>&1
    timeout 60 "$engine" volume rm -f "$name-var" "$name-dkim" "$name-rvar" "$name-rdkim" \
      "$name-pg-var" "$name-pg-dkim" "$name-pgr-var" "$name-pgr-dkim" >/dev/null 2>&1
  fi
  [ -n "${pgdir:-}" ] && [ -f "$pgdir/data/postmaster.pid" ] && "${pg_as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1
  [ -n "${pgdir:-}" ] && rm -rf "$pgdir"
  [ -n "$tmp" ] && rm -rf "$tmp"
  [ -n "${dns_pid:-}" ] && kill "$dns_pid" 2>/dev/null
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
    echo "FAIL  stopped with status $rc"
  fi
  echo "docker: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] || exit 1
  exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
install_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "      installing Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then
    as_root timeout 600 apt-get -o DPkg::Lock::Timeout=600 update -qq || return 1
    apt_updated=1
  fi
  as_root timeout 900 env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# The URIs of the first deb822 stanza (/etc/apt/sources.list.d/*.sources) whose Suites list $1, else of the
# first one-line "deb" entry for suite $1.
apt_uri_for_suite() {
  local suite=$1 files=() uri
  for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && files+=("$f"); done
  if [ ${#files[@]} -gt 0 ]; then
    uri=$(awk -v want="$suite" '
      function flush() { if (hit && uri != "" && !done) { print uri; done = 1 } hit = 0; uri = "" }
      FNR == 1 { flush() }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
      END { flush() }' "${files[@]}" | head -n 1)
  fi
  if [ -z "${uri:-}" ]; then
    files=()
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -f "$f" ] && files+=("$f"); done
    [ ${#files[@]} -gt 0 ] && uri=$(awk -v want="$suite" '
      $1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
                    if ($(i + 1) == want) { print $i; exit } }' "${files[@]}")
  fi
  [ -n "${uri:-}" ] && echo "$uri"
}

# ---------------------------------------------------------------------------------------------------------
echo "mailpack docker build-and-test, $started_at, $(nproc) cores, load $load_at_start"

tools=(curl openssl swaks libnet-ssleay-perl iproute2)
if [ -n "${MAILPACK_CONTAINER_ENGINE:-}" ]; then
  engine=$MAILPACK_CONTAINER_ENGINE
elif command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
  engine=docker
else
  engine=podman
fi
if [ "$engine" = podman ]; then
  tools+=(podman runc)
  [ -z "${MAILPACK_BASE_IMAGE:-}" ] && tools+=(debootstrap)
fi
install_packages "${tools[@]}" || die "could not install ${tools[*]}"
command -v "$engine" >/dev/null || die "$engine not found"

mkdir -p "$cache" || die "cannot create $cache"
tmp=$(mktemp -d /tmp/mailpack-docker.XXXXXX)
name=mailpack-test-$$ # every container and volume of this run starts with it
ctr=$name

build_opts=()
if [ "$engine" = podman ]; then
  # A private configuration: nothing under /etc/containers is changed.
  cat >"$cache/containers.conf" <<'EOF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
EOF
  export CONTAINERS_CONF=$cache/containers.conf
  # HEALTHCHECK is kept only in Docker-format images; podman needs the ignore file named.
  build_opts+=(--format docker --ignorefile docker/Dockerfile.dockerignore)
  image=localhost/mailpack:test
  runtime_base=localhost/mailpack-runtime-base:test
else
  image=mailpack:test
  runtime_base=mailpack-runtime-base:test
fi
note "engine: $engine ($(timeout 60 "$engine" --version 2>/dev/null | head -n 1))"

# ---------------------------------------------------------------------------------------------------------
# compose.yml: parses, and the memory limits without the antivirus profile add up to at most 900 MB.
if timeout 20 docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  install_packages docker-compose >/dev/null 2>&1 || true
  compose=(docker-compose)
fi
if command -v "${compose[0]}" >/dev/null 2>&1; then
  if config=$(cd docker && LETSENCRYPT_DIR=/etc/letsencrypt MAILPACK_CERT_NAME=test COMPOSE_PROJECT_NAME=mailpack MAILPACK_DB_PASSWORD=check \
      timeout 60 "${compose[@]}" -f compose.yml config 2>"$tmp/compose.err"); then
    pass "compose.yml is valid (${compose[*]} config)"
    # "services:" blocks of the normalised output: name, mem_limit, restart, profiles
    summary=$(awk '
      /^services:/ { in_s = 1; next }
      /^[a-z]/ { in_s = 0 }
      in_s && /^  [a-z0-9_-]+:$/ { if (name != "") print name, mem, rst, prof; name = $1; sub(/:$/, "", name); mem = "-"; rst = "-"; prof = "-"; next }
      in_s && /^    mem_limit:/ { mem = $2 }
      in_s && /^    restart:/ { rst = $2 }
      in_s && /^    profiles:/ { prof = "profile" }
      END { if (name != "") print name, mem, rst, prof }' <<<"$config" | tr -d "'\"")
    total=$(awk '$4 == "-" { v = tolower($2); n = v + 0
      if (v ~ /g/) n *= 1024; else if (v ~ /k/) n /= 1024; else if (v !~ /m/) n /= 1048576
      t += n } END { printf "%d", t }' <<<"$summary")
    unlimited=$(awk '$2 == "-" || $3 == "-" { printf "%s ", $1 }' <<<"$summary")
    base_services=$(awk '$4 == "-" { printf "%s ", $1 }' <<<"$summary")
    if [ "$total" -le 900 ] && [ -z "$unlimited" ]; then
      pass "compose memory limits without --profile antivirus: $total MB ($base_services) ≤ 900 MB, all with restart policies"
    else
      fail "compose memory limits: $total MB for $base_services(≤ 900 wanted); without mem_limit/restart: ${unlimited:-none}"
    fi
  else
    fail "compose.yml does not parse: $(head -c 400 "$tmp/compose.err")"
  fi
else
  note "no docker compose / docker-compose: compose.yml not checked"
fi

# ---------------------------------------------------------------------------------------------------------
# Base image
if [ -n "${MAILPACK_BASE_IMAGE:-}" ]; then
  base=$MAILPACK_BASE_IMAGE
elif [ "$engine" = docker ]; then
  base=debian:bookworm-slim
else
  base=localhost/mailpack-base:bookworm
  tarball=$cache/debian-bookworm-minbase.tar
  stamp=$cache/debian-bookworm-minbase.imported
  max_age=${MAILPACK_BASE_MAX_AGE_DAYS:-7}
  if [ ! -s "$tarball" ] || [ -n "$(find "$tarball" -mtime +"$max_age" 2>/dev/null)" ]; then
    mirror=$(apt_uri_for_suite bookworm) || die "no Debian bookworm mirror in this machine's apt sources; set MAILPACK_BASE_IMAGE"
    security=$(apt_uri_for_suite bookworm-security) || security=
    note "debootstrap bookworm (minbase) from $mirror"
    t=$(now_ms)
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    if ! timeout 1200 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1; then
      rm -rf "$rootfs"
      die "debootstrap failed (last lines of $cache/debootstrap.log: $(tail -n 3 "$cache/debootstrap.log" | tr '\n' ' '))"
    fi
    # apt sources of the image: the same mirrors as this machine (they stay out of the repository)
    rm -f "$rootfs/etc/apt/sources.list"
    {
      printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$mirror"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
      if [ -n "$security" ]; then
        printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n' "$security"
        printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
      fi
    } >"$rootfs/etc/apt/sources.list.d/debian.sources"
    # slim like debian:bookworm-slim: no package caches, lists, documentation, man pages, translations
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
      >"$rootfs/etc/dpkg/dpkg.cfg.d/mailpack-nodoc"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/man/* \
      "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
    find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
    : >"$rootfs/etc/resolv.conf"
    : >"$rootfs/etc/hostname"
    if ! tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" . || ! mv "$tarball.tmp" "$tarball"; then
      rm -rf "$rootfs"
      die "cannot write $tarball"
    fi
    rm -rf "$rootfs"
    base_state="made now with debootstrap"
    pass "base tree made with debootstrap in $(seconds_since "$t") s ($(du -m "$tarball" | cut -f1) MB tarball, cached in $cache)"
  else
    base_state="debootstrap tarball from the cache"
    note "base tarball from cache: $tarball ($(( ($(date +%s) - $(stat -c %Y "$tarball")) / 86400 )) days old)"
  fi
  if ! timeout 60 podman image exists "$base" || [ ! -e "$stamp" ] || [ "$tarball" -nt "$stamp" ]; then
    timeout 600 podman import --change 'CMD ["/bin/bash"]' "$tarball" "$base" >/dev/null 2>&1 \
      || die "podman import of $tarball failed"
    touch -r "$tarball" "$stamp"
    note "imported $tarball as $base"
  fi
fi

# ---------------------------------------------------------------------------------------------------------
# Runtime base stage (JRE), then decide where the jars come from.
t=$(now_ms)
if ! timeout 1800 "$engine" build "${build_opts[@]}" -f docker/Dockerfile --build-arg BASE_IMAGE="$base" \
    --target runtime-base -t "$runtime_base" . >"$tmp/build-base.log" 2>&1; then
  tail -n 30 "$tmp/build-base.log"
  die "runtime-base stage failed to build (apt-get inside the build? see above)"
fi
pass "runtime-base stage built (apt-get inside the build works) in $(seconds_since "$t") s"

from=${MAILPACK_IMAGE_FROM:-auto}
probe_url=https://repo.maven.apache.org/maven2/org/apache/james/james-project/3.8.1/james-project-3.8.1.pom
if [ "$from" = auto ]; then
  if timeout 60 "$engine" run --rm --name "$ctr-probe" --entrypoint curl "$runtime_base" \
      -fsS -o /dev/null --max-time 30 "$probe_url" >"$tmp/probe.log" 2>&1; then
    from=source
  else
    from=host
    note "a build container cannot fetch from Maven Central ($(grep -m 1 '^curl' "$tmp/probe.log" | head -c 160)):"
    note "building the jars on the host instead"
  fi
fi

dist_opts=()
if [ "$from" = host ]; then
  jar=guice-modules/target/mailpack-server.jar
  if [ ! -f "$jar" ] || [ ! -d guice-modules/target/lib ] \
      || [ -n "$(find pom.xml ./*/pom.xml ./*/src -newer "$jar" -print -quit 2>/dev/null)" ]; then
    install_packages openjdk-17-jdk-headless maven || die "could not install openjdk-17-jdk-headless maven"
    t=$(now_ms)
    jars_state="built now on the host"
    if timeout 1200 mvn -B -o -q package -DskipTests -pl guice-modules -am >"$tmp/mvn.log" 2>&1; then
      pass "jars built on the host offline (mvn -B -o package -DskipTests) in $(seconds_since "$t") s"
    elif timeout 1800 mvn -B -q package -DskipTests -pl guice-modules -am >"$tmp/mvn.log" 2>&1; then
      pass "jars built on the host (mvn -B package -DskipTests; offline was not enough) in $(seconds_since "$t") s"
    else
      tail -n 30 "$tmp/mvn.log"
      die "mvn package failed on the host"
    fi
  else
    jars_state="reused from the host (newer than the sources)"
    note "jars on the host are newer than the sources: reused ($jar)"
  fi
  # the layout runtime-prebuilt expects: lib/ third-party jars, own/ ours
  mkdir -p "$tmp/dist/lib" "$tmp/dist/own"
  cp -l guice-modules/target/lib/*.jar "$tmp/dist/lib/" 2>/dev/null || cp guice-modules/target/lib/*.jar "$tmp/dist/lib/"
  mv "$tmp/dist/lib"/mailpack-*.jar "$tmp/dist/own/"
  cp "$jar" "$tmp/dist/own/"
  dist_opts=(--target runtime-prebuilt --build-context "dist=$tmp/dist")
elif [ "$from" = source ]; then
  dist_opts=(--target runtime)
else
  die "MAILPACK_IMAGE_FROM must be auto, source or host (got '$from')"
fi

old_id=$(timeout 60 "$engine" image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
t=$(now_ms)
if ! timeout 1800 "$engine" build "${build_opts[@]}" -f docker/Dockerfile --build-arg BASE_IMAGE="$base" \
    "${dist_opts[@]}" -t "$image" . >"$tmp/build.log" 2>&1; then
  tail -n 30 "$tmp/build.log"
  die "image build failed (${dist_opts[*]})"
fi
build_s=$(seconds_since "$t")
pass "image $image built from $from jars (${dist_opts[0]} ${dist_opts[1]}) in $build_s s"
new_id=$(timeout 60 "$engine" image inspect -f '{{.Id}}' "$image")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  timeout 120 "$engine" rmi "$old_id" >/dev/null 2>&1 || true
fi

image_bytes=$(timeout 60 "$engine" image inspect -f '{{.Size}}' "$image")
image_mb=$(awk -v b="$image_bytes" 'BEGIN { printf "%d", b / 1000000 }')
if [ "$image_mb" -le "$target_image_mb" ]; then
  pass "image size $image_mb MB ≤ $target_image_mb MB"
elif [ -n "$strict" ]; then
  fail "image size $image_mb MB > $target_image_mb MB"
else
  note "image size $image_mb MB: over the $target_image_mb MB target (not counted; MAILPACK_STRICT_TARGETS=1 counts it)"
fi

if [ "$engine" = podman ]; then
  healthcheck=$(timeout 60 podman image inspect -f '{{json .HealthCheck}}' "$image" 2>/dev/null)
else
  healthcheck=$(timeout 60 docker image inspect -f '{{json .Config.Healthcheck}}' "$image" 2>/dev/null)
fi
case "$healthcheck" in
  *healthcheck*) pass "the image carries its HEALTHCHECK" ;;
  *) fail "no HEALTHCHECK in the image ($healthcheck)" ;;
esac

# ---------------------------------------------------------------------------------------------------------
# Run it: host network, free high ports bound to 127.0.0.1.
in_use=" $(ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); printf "%s ", a[n] }') "
ports=()
while [ ${#ports[@]} -lt 8 ]; do
  p=$((20000 + RANDOM % 40000))
  case "$in_use ${ports[*]} " in *" $p "*) continue ;; esac
  ports+=("$p")
done
smtp=${ports[0]} submission=${ports[1]} smtps=${ports[2]} imap=${ports[3]} imaps=${ports[4]} pop3s=${ports[5]}
webadmin=${ports[6]} dns=${ports[7]}
# Mail on port 25 is checked at DATA (SPF, DKIM, DMARC), with DNS lookups. This machine has no Internet
# access, so the container's lookups go to a server on the host (host network) that answers NXDOMAIN at
# once (bench/nxdomain-dns.py), instead of waiting for resolver timeouts.
/usr/bin/python3 "$here/bench/nxdomain-dns.py" "$dns" >/dev/null 2>&1 &
dns_pid=$!

# A certificate laid out like Let's Encrypt's (live/ symlinks into archive/, root-only key) for "localhost".
le=$tmp/letsencrypt
mkdir -p "$le/archive/test" "$le/live/test"
chmod 0700 "$le/archive" "$le/live"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$le/archive/test/privkey1.pem" -out "$le/archive/test/fullchain1.pem" >/dev/null 2>&1 \
  || die "openssl could not make a test certificate"
chmod 0600 "$le/archive/test/privkey1.pem"
ln -s ../../archive/test/fullchain1.pem "$le/live/test/fullchain.pem"
ln -s ../../archive/test/privkey1.pem "$le/live/test/privkey.pem"
cert=$le/archive/test/fullchain1.pem

mkdir -p "$tmp/conf.d"
printf '# overridden by docker/build-and-test.sh\nhealthcheck.period=30s\n' >"$tmp/conf.d/healthcheck.properties"
# the load step is one client address sending $messages messages to one user on port 25: the port-25 rate
# limits (conf/ratelimits.xml <inbound>) are switched off for it
sed -E '/<inbound>/,/<\/inbound>/ s/per(Minute|Hour|Day)="[0-9]+"/per\1="0"/g' "$here/conf/ratelimits.xml" >"$tmp/conf.d/ratelimits.xml"

mem_limit=$(awk '$1 == "mailpack" { print $2 }' <<<"${summary:-}")
mem_limit=${mem_limit:-416m}

run_opts=(-d --name "$ctr" --network=host --memory "$mem_limit" --stop-timeout 60
  -e MAILPACK_BIND_ADDRESS=127.0.0.1 -e MAILPACK_HOSTNAME=localhost
  -e MAILPACK_SMTP_PORT="$smtp" -e MAILPACK_SUBMISSION_PORT="$submission" -e MAILPACK_SMTPS_PORT="$smtps"
  -e MAILPACK_IMAP_PORT="$imap" -e MAILPACK_IMAPS_PORT="$imaps" -e MAILPACK_POP3S_PORT="$pop3s"
  -e MAILPACK_WEBADMIN_PORT="$webadmin" -e MAILPACK_DNS_SERVERS="127.0.0.1:$dns"
  -e MAILPACK_TLS_CERT=/etc/letsencrypt/live/test/fullchain.pem
  -e MAILPACK_TLS_KEY=/etc/letsencrypt/live/test/privkey.pem
  -v "$ctr-var:/var/lib/mailpack/var" -v "$ctr-dkim:/var/lib/mailpack/var/dkim"
  -v "$tmp/conf.d:/etc/mailpack/conf.d:ro" -v "$le:/etc/letsencrypt:ro")
if [ "$engine" = podman ]; then
  run_opts+=(--health-interval disable) # no systemd timers here; checked with `podman healthcheck run`
else
  run_opts+=(--health-interval 1s)
fi

healthy_now() {
  if [ "$engine" = podman ]; then
    timeout 20 podman healthcheck run "$ctr" >/dev/null 2>&1
  else
    [ "$(timeout 20 docker inspect -f '{{.State.Health.Status}}' "$ctr" 2>/dev/null)" = healthy ]
  fi
}
running() { [ "$(timeout 20 "$engine" inspect -f '{{.State.Running}}' "$ctr" 2>/dev/null)" = true ]; }
# waits until healthy (at most $1 s); prints the seconds since $2 (ms)
wait_healthy() {
  local deadline=$(($(date +%s) + $1))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if healthy_now; then seconds_since "$2"; return 0; fi
    running || return 2
    sleep 0.5
  done
  return 1
}
show_logs() { timeout 30 "$engine" logs --tail 40 "$ctr" 2>&1 | sed 's/^/      | /'; }
xc() { timeout 60 "$engine" exec "$ctr" "$@"; }

t=$(now_ms)
if ! timeout 120 "$engine" run "${run_opts[@]}" "$image" >"$tmp/run.log" 2>&1; then
  cat "$tmp/run.log"
  die "$engine run failed"
fi
if healthy_first_s=$(wait_healthy 120 "$t"); then
  pass "healthy $healthy_first_s s after start (first start, empty volumes)"
else
  show_logs
  die "not healthy within 120 s of the first start"
fi

status=$(xc cat /proc/1/status)
if grep -q '^Name:[[:space:]]*java$' <<<"$status" && grep -q '^Uid:[[:space:]]*2525[[:space:]]' <<<"$status" \
    && grep -q '^CapEff:[[:space:]]*0000000000000400$' <<<"$status"; then
  pass "the JVM runs as mailpack (uid 2525) with only CAP_NET_BIND_SERVICE"
else
  fail "JVM user/capabilities: $(grep -E '^(Name|Uid|CapEff)' <<<"$status" | tr '\n' ' ')"
fi

# shellcheck disable=SC2016  # a literal ${ in the pattern
flags=$(sed -n 's/^JVM_FLAGS=\${MAILPACK_JAVA_OPTS:-"\(.*\)"}$/\1/p' bin/mailpack)
cmdline=$(xc cat /proc/1/cmdline | tr '\0' ' ')
if [ -n "$flags" ] && [[ "$cmdline" == *"java $flags "* ]]; then
  pass "the JVM runs with bin/mailpack's flags ($flags)"
else
  fail "JVM flags differ from bin/mailpack's: $cmdline"
fi

served=$(timeout 20 openssl s_client -connect "127.0.0.1:$imaps" -servername localhost </dev/null 2>/dev/null \
  | openssl x509 -noout -fingerprint -sha256 2>/dev/null)
expected=$(openssl x509 -noout -fingerprint -sha256 -in "$cert")
if [ -n "$served" ] && [ "$served" = "$expected" ]; then
  pass "IMAPS serves the certificate from the read-only /etc/letsencrypt mount (root-only key, live/ symlinks)"
else
  fail "IMAPS certificate: served '$served', expected '$expected'"
fi

# (captured first: with pipefail, grep -q closing the pipe early would fail the writer)
container_log=$(timeout 30 "$engine" logs "$ctr" 2>&1)
if grep -q 'conf/healthcheck.properties: replaced' <<<"$container_log" \
    && xc grep -q 'overridden by docker/build-and-test.sh' /var/lib/mailpack/conf/healthcheck.properties; then
  pass "a file in /etc/mailpack/conf.d replaces the shipped conf/ file"
else
  fail "conf override from /etc/mailpack/conf.d not applied"
fi

# without the JWT: /healthcheck is the overall status and nothing else (no component names or causes),
# the per-component routes and the rest of the API answer 401; with it (mailpack-admin) every component
health=$(xc curl -s -w ' %{http_code}' "http://127.0.0.1:$webadmin/healthcheck")
code_checks=$(xc curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$webadmin/healthcheck/checks")
code_users=$(xc curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$webadmin/users")
if [[ $health =~ ^\{\"status\":\"(healthy|degraded)\"\}\ 200$ ]] && [ "$code_checks" = 401 ] && [ "$code_users" = 401 ]; then
  pass "webadmin without the JWT: /healthcheck only the overall status ($health), /healthcheck/checks and /users 401"
else
  fail "webadmin without the JWT: /healthcheck '$health' ('{\"status\":\"healthy\"} 200' wanted), /healthcheck/checks $code_checks, /users $code_users (401 wanted)"
fi
if grep -q '"componentName":"Embedded ActiveMQ"' <<<"$(xc mailpack-admin GET /healthcheck 2>/dev/null)"; then
  pass "webadmin with the JWT: /healthcheck lists every component"
else
  fail "webadmin with the JWT: /healthcheck does not list the components"
fi

user=diego@diegonmarcos.com
password=docker-test-passphrase-$$-$RANDOM
if xc mailpack-admin PUT "/users/$user" "{\"password\":\"$password\"}" >"$tmp/admin.log" 2>&1 \
    && grep -q "\"$user\"" <<<"$(xc mailpack-admin GET /users 2>/dev/null)"; then
  pass "user $user created over webadmin (docker exec ... mailpack-admin PUT /users/...)"
else
  fail "creating a user over webadmin: $(tr '\n' ' ' <"$tmp/admin.log")"
fi

imap_url="imaps://localhost:$imaps"
imap() {
  timeout 40 curl -sS --max-time 30 --cacert "$cert" --resolve "localhost:$imaps:127.0.0.1" -u "$user:$password" "$@"
}
inbox_count() { imap "$imap_url/" -X 'STATUS INBOX (MESSAGES)' 2>/dev/null | sed -n 's/.*MESSAGES \([0-9]*\).*/\1/p'; }
# prints the sequence number of the message with subject $1, waiting at most $2 s
find_message() {
  local deadline=$(($(date +%s) + $2)) n
  while [ "$(date +%s)" -lt "$deadline" ]; do
    n=$(imap "$imap_url/INBOX" -X "SEARCH SUBJECT $1" 2>/dev/null | sed -n 's/^\* SEARCH \([0-9][0-9]*\).*/\1/p')
    [ -n "$n" ] && { echo "$n"; return 0; }
    sleep 1
  done
  return 1
}

token=docker-test-$$-$RANDOM
if timeout 60 swaks --server 127.0.0.1 --port "$submission" --tls --auth LOGIN --auth-user "$user" \
    --auth-password "$password" --from "$user" --to "$user" --header "Subject: $token" \
    --body "body of $token" --timeout 30 >"$tmp/swaks.log" 2>&1; then
  pass "message sent over 587 with STARTTLS + AUTH (swaks)"
else
  fail "swaks over 587: $(tail -n 5 "$tmp/swaks.log" | tr '\n' ' ')"
fi

if n=$(find_message "$token" 30) && grep -q "body of $token" <<<"$(imap "$imap_url/INBOX;MAILINDEX=$n" 2>/dev/null)"; then
  pass "message read over 993 (curl imaps://, certificate verified)"
else
  fail "message not found over IMAPS within 30 s"
fi

# Stop (clean shutdown within the grace period?) and start again on the same volumes.
t=$(now_ms)
timeout 120 "$engine" stop -t 60 "$ctr" >/dev/null 2>&1
stop_s=$(seconds_since "$t")
exit_code=$(timeout 20 "$engine" inspect -f '{{.State.ExitCode}}' "$ctr" 2>/dev/null)
if awk -v s="$stop_s" 'BEGIN { exit !(s < 55) }' && [ "$exit_code" = 143 ]; then
  pass "clean stop on SIGTERM in $stop_s s (exit 143; compose gives 60 s)"
else
  fail "stop took $stop_s s, exit code $exit_code"
fi
t=$(now_ms)
timeout 60 "$engine" start "$ctr" >/dev/null 2>&1 || die "$engine start failed"
if healthy_restart_s=$(wait_healthy 120 "$t"); then
  pass "healthy $healthy_restart_s s after a restart"
else
  show_logs
  die "not healthy within 120 s of the restart"
fi
if n=$(find_message "$token" 15); then
  pass "the message is still there after the restart"
else
  fail "the message is gone after the restart"
fi

worst_healthy=$(awk -v a="$healthy_first_s" -v b="$healthy_restart_s" 'BEGIN { print (a > b ? a : b) }')
if awk -v s="$worst_healthy" -v t="$target_healthy_s" 'BEGIN { exit !(s <= t) }'; then
  pass "time to healthy ≤ $target_healthy_s s (first start $healthy_first_s s, restart $healthy_restart_s s)"
elif [ -n "$strict" ]; then
  fail "time to healthy over $target_healthy_s s (first start $healthy_first_s s, restart $healthy_restart_s s)"
else
  note "time to healthy over the $target_healthy_s s target (first $healthy_first_s s, restart $healthy_restart_s s; not counted)"
fi

# Memory: the JVM (PID 1) and the container's cgroup.
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
jvm_kb() { xc cat /proc/1/status | awk -v f="$1:" '$1 == f { print $2 }'; }
cgroup_mib() {
  xc sh -c "cat /sys/fs/cgroup/$1 2>/dev/null || cat /sys/fs/cgroup/memory/$2" 2>/dev/null \
    | awk '{ printf "%.1f", $1 / 1048576 }'
}
idle_wait=$((15 - $(date +%s) + t / 1000))
[ "$idle_wait" -gt 0 ] && sleep "$idle_wait"
rss_idle=$(mib "$(jvm_kb VmRSS)")
cg_idle=$(cgroup_mib memory.current memory.usage_in_bytes)
note "idle, 15 s after the restart: JVM RSS $rss_idle MiB, container cgroup memory $cg_idle MiB (includes page cache)"

rss_load='' hwm_load='' cg_load='' cg_peak='' accept_s='' deliver_s='' loader=''
if [ "$messages" -gt 0 ]; then
  before=$(inbox_count)
  before=${before:-0}
  t=$(now_ms)
  if command -v smtp-source >/dev/null 2>&1; then
    loader="smtp-source -s 10 -m $messages -l 4096"
    timeout 900 smtp-source -s 10 -m "$messages" -l 4096 -f load@example.org -t "$user" "127.0.0.1:$smtp" \
      >"$tmp/load.log" 2>&1
  else
    loader="swaks ×$messages, 8 in parallel, 4 KB bodies (smtp-source not installed)"
    body=$(head -c 3072 /dev/zero | tr '\0' 'x' | fold -w 76)
    seq "$messages" | timeout 900 xargs -P 8 -I{} swaks --server 127.0.0.1 --port "$smtp" --from load@example.org \
      --to "$user" --header 'Subject: load {}' --body "$body" --timeout 30 --silent 2 >"$tmp/load.log" 2>&1
  fi
  load_rc=$?
  accept_s=$(seconds_since "$t")
  want=$((before + messages))
  deadline=$(($(date +%s) + 600))
  count=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
    count=$(inbox_count)
    count=${count:-0}
    [ "$count" -ge "$want" ] && break
    sleep 2
  done
  deliver_s=$(seconds_since "$t")
  if [ "$load_rc" -eq 0 ] && [ "$count" -ge "$want" ]; then
    pass "$messages messages over port 25 ($loader): accepted in $accept_s s, all in INBOX after $deliver_s s"
  else
    fail "load: sender status $load_rc, INBOX $count of $want after $deliver_s s ($(tail -n 3 "$tmp/load.log" | tr '\n' ' '))"
  fi
  rss_load=$(mib "$(jvm_kb VmRSS)")
  hwm_load=$(mib "$(jvm_kb VmHWM)")
  cg_load=$(cgroup_mib memory.current memory.usage_in_bytes)
  cg_peak=$(cgroup_mib memory.peak memory.max_usage_in_bytes)
  note "after the load: JVM RSS $rss_load MiB (peak VmHWM $hwm_load MiB); cgroup $cg_load MiB (peak ${cg_peak:-?} MiB)"
  if awk -v r="$rss_load" -v t="$target_rss_mib" 'BEGIN { exit !(r <= t) }'; then
    pass "JVM RSS after $messages messages $rss_load MiB ≤ $target_rss_mib MiB"
  elif [ -n "$strict" ]; then
    fail "JVM RSS after $messages messages $rss_load MiB > $target_rss_mib MiB"
  else
    note "JVM RSS after $messages messages $rss_load MiB: over the $target_rss_mib MiB target (not counted)"
  fi
fi

t=$(now_ms)
timeout 120 "$engine" stop -t 60 "$ctr" >/dev/null 2>&1
stop2_s=$(seconds_since "$t")

# Backup and restore as in the README: tar of both volumes with the image's own tar, into fresh volumes,
# then a new container on them must have the mail.
count_before=$(timeout 60 "$engine" run --rm --entrypoint sh -v "$ctr-var:/data:ro" "$image" \
  -c 'find /data/store -type f | wc -l' 2>/dev/null)
mkdir -p "$tmp/backup"
if timeout 300 "$engine" run --rm --entrypoint tar -v "$ctr-var:/data:ro" -v "$ctr-dkim:/dkim:ro" \
      -v "$tmp/backup:/backup" "$image" -C / -czf /backup/mailpack.tar.gz data dkim >"$tmp/backup.log" 2>&1 \
    && timeout 300 "$engine" run --rm --entrypoint tar -v "$ctr-rvar:/data" -v "$ctr-rdkim:/dkim" \
      -v "$tmp/backup:/backup:ro" "$image" -C / --numeric-owner -xzpf /backup/mailpack.tar.gz >>"$tmp/backup.log" 2>&1; then
  backup_mb=$(du -m "$tmp/backup/mailpack.tar.gz" | cut -f1)
  restored_opts=()
  for o in "${run_opts[@]}"; do
    case "$o" in
      "$ctr") o=$ctr-restored ;;
      "$ctr-var:"*) o=$ctr-rvar:${o#"$ctr-var:"} ;;
      "$ctr-dkim:"*) o=$ctr-rdkim:${o#"$ctr-dkim:"} ;;
    esac
    restored_opts+=("$o")
  done
  main_ctr=$ctr
  t=$(now_ms)
  if timeout 120 "$engine" run "${restored_opts[@]}" "$image" >"$tmp/run-restored.log" 2>&1; then
    ctr=$ctr-restored
    if restored_s=$(wait_healthy 120 "$t") && n=$(find_message "$token" 15) \
        && [ "$(inbox_count)" = "${count:-$(inbox_count)}" ]; then
      pass "backup ($backup_mb MB tar.gz of both volumes) restored into new volumes: healthy in $restored_s s, same mail"
    else
      show_logs
      fail "the container on the restored volumes is not healthy or lacks the mail (files before: $count_before)"
    fi
    timeout 120 "$engine" stop -t 60 "$ctr" >/dev/null 2>&1
    ctr=$main_ctr
  else
    fail "could not start a container on the restored volumes: $(tail -n 3 "$tmp/run-restored.log" | tr '\n' ' ')"
  fi
else
  fail "backup/restore with tar: $(tail -n 3 "$tmp/backup.log" | tr '\n' ' ')"
fi
# ---------------------------------------------------------------------------------------------------------
# PostgreSQL, as the compose stack runs it (MAILPACK_DATABASE=postgresql): a throw-away PostgreSQL from
# Debian's package on the host (host network; password authentication, the compose service's memory
# settings), a container on new volumes, mail in and out; then the documented backup (short stop, pg_dump,
# tar of the volumes) restored into a new database and new volumes, and a new container there has the mail.
pg_rss='' pg_ok=
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ] && install_packages postgresql; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$pgbin" ]; then
  fail "PostgreSQL step: no PostgreSQL server (apt-get install postgresql)"
else
  pgdir=$(mktemp -d /tmp/mailpack-pg.XXXXXX) # not under $tmp (0700 root): the server runs as postgres
  pgport=$((20000 + RANDOM % 10000))
  while ss -Htan | awk '{ print $4 }' | grep -q ":$pgport\$"; do pgport=$((20000 + RANDOM % 10000)); done
  pgpass=pg-$$-$RANDOM-$RANDOM
  printf '%s\n' "$pgpass" >"$pgdir/pwfile"
  pg_as=()
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$pgdir"; pg_as=(runuser -u postgres --); fi
  export PGPASSWORD=$pgpass
  pg() { "${pg_as[@]}" "$pgbin/$1" "${@:2}"; }
  if pg initdb -D "$pgdir/data" -U mailpack --auth=scram-sha-256 --pwfile="$pgdir/pwfile" --no-sync >"$pgdir/initdb.log" 2>&1 \
      && pg pg_ctl -D "$pgdir/data" -l "$pgdir/log" -w -t 60 \
        -o "-k $pgdir -p $pgport -h 127.0.0.1 -c shared_buffers=32MB -c max_connections=30 -c work_mem=2MB" start >/dev/null 2>&1 \
      && "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U mailpack mailpack; then
    pg_ok=1
  else
    fail "PostgreSQL step: could not start a PostgreSQL server ($(tail -n 3 "$pgdir/initdb.log" "$pgdir/log" 2>/dev/null | tr '\n' ' '))"
  fi
fi
if [ -n "$pg_ok" ]; then
  main_ctr=$ctr
  pg_run_opts() { # $1 container name, $2 volume prefix, $3 database name
    local o
    for o in "${run_opts[@]}"; do
      case "$o" in
        "$main_ctr") o=$1 ;;
        "$main_ctr-var:"*) o=$2-var:${o#"$main_ctr-var:"} ;;
        "$main_ctr-dkim:"*) o=$2-dkim:${o#"$main_ctr-dkim:"} ;;
      esac
      printf '%s\0' "$o"
    done
    printf '%s\0' -e MAILPACK_DATABASE=postgresql -e MAILPACK_DB_HOST=127.0.0.1 -e MAILPACK_DB_PORT="$pgport" \
      -e MAILPACK_DB_NAME="$3" -e MAILPACK_DB_PASSWORD="$pgpass"
  }
  mapfile -d '' pg_opts < <(pg_run_opts "$main_ctr-pg" "$main_ctr-pg" mailpack)
  t=$(now_ms)
  ctr=$main_ctr-pg
  if timeout 120 "$engine" run "${pg_opts[@]}" "$image" >"$tmp/run-pg.log" 2>&1 && pg_healthy_s=$(wait_healthy 120 "$t"); then
    pg_log=$(timeout 30 "$engine" logs "$ctr" 2>&1)
    if grep -q "Database: jdbc:postgresql://127.0.0.1:$pgport/mailpack (conf/james-database-postgresql.properties" <<<"$pg_log" \
        && ! xc test -e /var/lib/mailpack/var/store/derby; then
      pass "MAILPACK_DATABASE=postgresql: healthy in $pg_healthy_s s on PostgreSQL (password authentication), no Derby database made"
    else
      fail "MAILPACK_DATABASE=postgresql: the log does not name the PostgreSQL database, or a Derby database was made"
    fi
    pg_token=docker-pg-$$-$RANDOM
    xc mailpack-admin PUT "/users/$user" "{\"password\":\"$password\"}" >"$tmp/admin-pg.log" 2>&1
    if timeout 60 swaks --server 127.0.0.1 --port "$submission" --tls --auth LOGIN --auth-user "$user" \
        --auth-password "$password" --from "$user" --to "$user" --header "Subject: $pg_token" \
        --body "body of $pg_token" --timeout 30 >"$tmp/swaks-pg.log" 2>&1 && n=$(find_message "$pg_token" 30) \
        && [ "$("$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U mailpack -d mailpack -Atc \
              "select count(*) from james_mail m join james_mailbox b on b.mailbox_id = m.mailbox_id where b.user_name = '$user'")" -ge 1 ]; then
      pass "on PostgreSQL: a message sent over 587 is read over 993 and is a row of james_mail"
    else
      fail "on PostgreSQL: message not sent, not read over IMAPS or not in james_mail ($(tail -n 3 "$tmp/swaks-pg.log" | tr '\n' ' '))"
    fi
    postmaster=$(head -n 1 "$pgdir/data/postmaster.pid")
    # PSS: each process's share of the pages it maps (shared buffers counted once overall, as the cgroup does)
    pg_rss=$(for pid in $postmaster $(ps -o pid= --ppid "$postmaster"); do cat "/proc/$pid/smaps_rollup" 2>/dev/null; done \
      | awk '$1 == "Pss:" { s += $2 } END { printf "%.1f", s / 1024 }')
    note "PostgreSQL (shared_buffers=32MB) with mailpack connected: PSS of all its processes $pg_rss MiB"
    # the backup of docs/database.md: stop mailpack, pg_dump, tar the volumes, start mailpack again
    timeout 120 "$engine" stop -t 60 "$ctr" >/dev/null 2>&1
    if "$pgbin/pg_dump" -h 127.0.0.1 -p "$pgport" -U mailpack -Fc -f "$tmp/backup/mailpack.pgdump" mailpack \
        && timeout 300 "$engine" run --rm --entrypoint tar -v "$ctr-var:/data:ro" -v "$ctr-dkim:/dkim:ro" \
          -v "$tmp/backup:/backup" "$image" -C / -czf /backup/mailpack-pg.tar.gz data dkim >"$tmp/backup-pg.log" 2>&1 \
        && "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U mailpack mailpack_restored \
        && "$pgbin/pg_restore" -h 127.0.0.1 -p "$pgport" -U mailpack -d mailpack_restored --no-owner "$tmp/backup/mailpack.pgdump" \
        && timeout 300 "$engine" run --rm --entrypoint tar -v "$main_ctr-pgr-var:/data" -v "$main_ctr-pgr-dkim:/dkim" \
          -v "$tmp/backup:/backup:ro" "$image" -C / --numeric-owner -xzpf /backup/mailpack-pg.tar.gz >>"$tmp/backup-pg.log" 2>&1; then
      dump_kb=$(du -k "$tmp/backup/mailpack.pgdump" | cut -f1)
      mapfile -d '' pgr_opts < <(pg_run_opts "$main_ctr-pgr" "$main_ctr-pgr" mailpack_restored)
      t=$(now_ms)
      ctr=$main_ctr-pgr
      if timeout 120 "$engine" run "${pgr_opts[@]}" "$image" >"$tmp/run-pgr.log" 2>&1 && pgr_s=$(wait_healthy 120 "$t") \
          && n=$(find_message "$pg_token" 15) && grep -q "body of $pg_token" <<<"$(imap "$imap_url/INBOX;MAILINDEX=$n" 2>/dev/null)"; then
        pass "pg_dump (${dump_kb} KB) + tar of the volumes restored into a new database and new volumes: healthy in $pgr_s s, the mail is there"
      else
        show_logs
        fail "the container on the restored PostgreSQL database lacks the mail or is not healthy"
      fi
      timeout 120 "$engine" stop -t 60 "$ctr" >/dev/null 2>&1
    else
      fail "PostgreSQL backup/restore (pg_dump, tar, pg_restore): $(tail -n 3 "$tmp/backup-pg.log" 2>/dev/null | tr '\n' ' ')"
    fi
  else
    show_logs
    fail "MAILPACK_DATABASE=postgresql: the container is not healthy within 120 s ($(tail -n 3 "$tmp/run-pg.log" | tr '\n' ' '))"
  fi
  ctr=$main_ctr
  pg pg_ctl -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1
fi

total_s=$(seconds_since "$script_start_ms")

cat <<EOF
figures:
  engine                      $engine, base $base, jars from $from
  image size                  $image_mb MB (target ≤ $target_image_mb)
  image build (final stage)   $build_s s
  start → healthy             first start $healthy_first_s s, restart $healthy_restart_s s (target ≤ $target_healthy_s)
  stop (SIGTERM → exited)     $stop_s s, after the load $stop2_s s
  JVM RSS idle                $rss_idle MiB (cgroup $cg_idle MiB)
  PostgreSQL memory           ${pg_rss:-–} MiB PSS (all its processes, mailpack connected; compose limit 128m)
  JVM RSS after load          ${rss_load:-–} MiB, VmHWM ${hwm_load:-–} MiB (cgroup ${cg_load:-–}, peak ${cg_peak:-–} MiB; target ≤ $target_rss_mib)
  load                        ${messages} messages: accepted ${accept_s:-–} s, in INBOX ${deliver_s:-–} s
  script                      $total_s s
EOF

if [ -n "$write_results" ]; then
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem_gib=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
  # a "## Notes" section written by hand is kept
  notes=$(sed -n '/^## Notes/,$p' docker/RESULTS.md 2>/dev/null)
  met() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "") print "–"; else print (v + 0 <= t + 0 ? "yes" : "**no**") }'; }
  cat >docker/RESULTS.md <<EOF
# mailpack container image: results

Written by \`bash docker/build-and-test.sh --write-results\`; every run prints the same figures.

- Date: $started_at
- Machine: $(nproc) cores ($cpu), $mem_gib GiB RAM, kernel $(uname -r), load average at start $load_at_start
  (cores shared with other work: times are rough)
- Engine: $(timeout 60 "$engine" --version | head -n 1); base image $base ($base_state); jars: $jars_state
- Commit: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')
- JVM flags (bin/mailpack): \`$flags\`
- Container memory limit: $mem_limit (as in docker/compose.yml)

| Figure | Value | Target | Met |
| --- | ---: | --- | --- |
| Image size (uncompressed, as \`$engine images\` shows it) | $image_mb MB | ≤ $target_image_mb MB | $(met "$image_mb" "$target_image_mb") |
| Start → healthy, first start on empty volumes | $healthy_first_s s | ≤ $target_healthy_s s | $(met "$healthy_first_s" "$target_healthy_s") |
| Start → healthy, restart on existing data | $healthy_restart_s s | ≤ $target_healthy_s s | $(met "$healthy_restart_s" "$target_healthy_s") |
| Stop: SIGTERM → exited (idle / after the load) | $stop_s s / $stop2_s s | < 60 s (compose stop_grace_period) | $(met "$stop2_s" 60) |
| JVM RSS idle, 15 s after the restart | $rss_idle MiB | – | – |
| Container cgroup memory idle (includes page cache) | $cg_idle MiB | – | – |
| JVM RSS after ${messages} messages | ${rss_load:-–} MiB | ≤ $target_rss_mib MiB | $(met "$rss_load" "$target_rss_mib") |
| JVM peak RSS (VmHWM) over the run | ${hwm_load:-–} MiB | – | – |
| Container cgroup memory after the load / peak | ${cg_load:-–} / ${cg_peak:-–} MiB | < $mem_limit limit | – |
| Load ($loader) accepted / all in INBOX | ${accept_s:-–} s / ${deliver_s:-–} s | – | – |
| Final image stage build | $build_s s | – | – |
| Whole script | $total_s s | ≤ 15 min | $(met "$total_s" 900) |
EOF
  [ -n "$notes" ] && printf '\n%s\n' "$notes" >>docker/RESULTS.md
  note "wrote docker/RESULTS.md"
fi
