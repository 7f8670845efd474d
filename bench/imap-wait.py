#!/usr/bin/python3
"""Waits until an IMAP INBOX holds at least TARGET messages, over ONE logged-in connection.

    imap-wait.py NAME URL USER PASSWORD TARGET TIMEOUT_MS

URL is imap://host:port or imaps://host:port (certificate not checked: the benchmark's servers use
self-signed ones). It sends STATUS INBOX (MESSAGES) every 0.25 s without SELECTing anything, logs each
new count to stderr like bench.sh does, and exits 0 once the count reaches TARGET, 1 on timeout, 2 on
an IMAP error. One connection for the whole wait, so the poll costs both servers the same: no TLS
handshake and no password hashing per poll.
"""
import imaplib
import re
import ssl
import sys
import time
from urllib.parse import urlsplit


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main():
    name, url, user, password, target, timeout_ms = sys.argv[1:7]
    target, deadline = int(target), time.monotonic() + int(timeout_ms) / 1000
    parts = urlsplit(url)
    if parts.scheme == "imaps":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        imap = imaplib.IMAP4_SSL(parts.hostname, parts.port, ssl_context=context, timeout=30)
    else:
        imap = imaplib.IMAP4(parts.hostname, parts.port, timeout=30)
    imap.login(user, password)
    last = None
    try:
        while True:
            status, data = imap.status("INBOX", "(MESSAGES)")
            if status != "OK":
                log(f"{name}: STATUS answered {status} {data}")
                return 2
            count = int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
            if count != last:
                log(f"{name}: INBOX has {count} messages")
                last = count
            if count >= target:
                return 0
            if time.monotonic() >= deadline:
                log(f"{name}: only {count} of {target} messages in INBOX at the deadline")
                return 1
            time.sleep(0.25)
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


if __name__ == "__main__":
    sys.exit(main())
