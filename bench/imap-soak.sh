#!/usr/bin/env bash
# IMAP soak: JavaMail readers fetching the INBOX in 16 KiB parts (as Thunderbird does) while mail arrives
# on port 25 as fast as the server takes it; fails on a garbled answer, a hang or a refused command and
# leaves the server's threads and the reader's trace in integration-tests/target/soak-*.txt.
# Not part of the suite. Usage: bash bench/imap-soak.sh [seconds [readers]]   (defaults: 300 3)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
seconds="${1:-300}"
readers="${2:-3}"
mkdir -p integration-tests/target
mvn -B -o verify -pl integration-tests -am -Denforcer.skip=true -Dtest=ImapSoak -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsoak.seconds="$seconds" -Dsoak.readers="$readers" | tee integration-tests/target/imap-soak.log | grep -E "ImapSoak:|Tests run:|FAIL|soak-" || true
grep -q "ImapSoak: " integration-tests/target/imap-soak.log
