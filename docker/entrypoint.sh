#!/bin/bash
# Entrypoint of the mailpack image (docker/Dockerfile).
#
# As root (the default), it does only what needs root, then re-executes itself as user mailpack with
# CAP_NET_BIND_SERVICE as the one capability left (to bind 25/465/587/143/993/995):
#   - gives the data volumes (var/, var/dkim/) to mailpack when they are new bind mounts owned by someone else;
#   - copies MAILPACK_TLS_CERT / MAILPACK_TLS_KEY (Let's Encrypt files are root-only) to /run/mailpack/tls and
#     points the variables at the copies. The server reads them at start: restart after a renewal.
# As mailpack (or when started with --user), it assembles conf/ from the shipped files plus any override in
# /etc/mailpack/conf.d (same file name = replaced), and execs the JVM with bin/mailpack's flags
# (/opt/mailpack/jvm-flags) unless MAILPACK_JAVA_OPTS is set. Arguments are passed to the server
# (e.g. --set NAME=VALUE).
set -euo pipefail

home=/var/lib/mailpack
dist=/opt/mailpack
overrides=/etc/mailpack/conf.d
user=mailpack

log() { echo "entrypoint: $*" >&2; }

if [ "$(id -u)" = 0 ]; then
  for dir in "$home/var" "$home/var/dkim"; do
    mkdir -p "$dir"
    if [ "$(stat -c %U "$dir")" != "$user" ]; then
      chown -R "$user:$user" "$dir"
      log "$dir was not owned by $user: ownership given to $user"
    fi
  done

  if [ -n "${MAILPACK_TLS_CERT:-}" ] && [ -n "${MAILPACK_TLS_KEY:-}" ]; then
    for file in "$MAILPACK_TLS_CERT" "$MAILPACK_TLS_KEY"; do
      if [ ! -r "$file" ]; then
        log "TLS file '$file' not found: is the Let's Encrypt directory mounted (read-only) at /etc/letsencrypt," \
          "and do MAILPACK_TLS_CERT / MAILPACK_TLS_KEY name paths inside the container?"
        exit 1
      fi
    done
    tls=/run/mailpack/tls
    install -d -m 0700 -o "$user" -g "$user" /run/mailpack "$tls"
    install -m 0644 -o "$user" -g "$user" "$MAILPACK_TLS_CERT" "$tls/fullchain.pem"
    install -m 0600 -o "$user" -g "$user" "$MAILPACK_TLS_KEY" "$tls/privkey.pem"
    log "TLS: using $MAILPACK_TLS_CERT and $MAILPACK_TLS_KEY (copied for the server user; restart after renewal)"
    export MAILPACK_TLS_CERT="$tls/fullchain.pem" MAILPACK_TLS_KEY="$tls/privkey.pem"
  fi

  exec setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
    --bounding-set=-all,+net_bind_service -- "$0" "$@"
fi

cd "$home"
rm -rf conf.new
cp -R "$dist/conf" conf.new
if [ -d "$overrides" ]; then
  for file in "$overrides"/*; do
    [ -f "$file" ] || continue
    name=${file##*/}
    if [ -e "conf.new/$name" ]; then
      log "conf/$name: replaced by $file"
    else
      log "conf/$name: added from $file"
    fi
    cp "$file" "conf.new/$name"
  done
fi
rm -rf conf
mv conf.new conf

flags=${MAILPACK_JAVA_OPTS:-$(cat "$dist/jvm-flags")}
log "JVM flags: $flags"
# shellcheck disable=SC2086  # the flags are a list of words
exec java $flags -Dworking.directory="$home" -Dlogback.configurationFile="$home/conf/logback.xml" \
  -jar "$dist/mailpack-server.jar" --home "$home" "$@"
