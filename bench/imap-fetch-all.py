#!/usr/bin/env python3
"""Time of `FETCH 1:* (FLAGS BODY.PEEK[])` on a large INBOX: what a client downloading a mailbox costs.

    imap-fetch-all.py --port 1993 --tls --user u@d --password P [--messages 2000] [--repeat 3]
                      [--label mailpack] [--json out.json]

Fills the INBOX of --user up to --messages with APPENDs (4 sessions in parallel, ~1.3 KB messages like
imap-stress.py's; untimed), then --repeat times: a new session, LOGIN, SELECT INBOX, and the timed
FETCH of every message's flags and full body. Prints each time, the median, and the bytes received.
"""
import argparse
import imaplib
import json
import ssl
import statistics
import sys
import threading
import time


def message(n, user):
    return ("From: Stress <stress@example.org>\r\n"
            "To: " + user + "\r\n"
            "Subject: fetch-all " + str(n) + "\r\n"
            "Message-ID: <fetch-all-" + str(n) + "@example.org>\r\n"
            "\r\n" + ("line of a stress message " + str(n) + "\r\n") * 40).encode()


def connect(args):
    if args.tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        imap = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=context, timeout=args.timeout)
    else:
        imap = imaplib.IMAP4(args.host, args.port, timeout=args.timeout)
    imap.login(args.user, args.password)
    return imap


def fill(args):
    imap = connect(args)
    typ, data = imap.select("INBOX")
    have = int(data[0]) if typ == "OK" else 0
    imap.logout()
    todo = list(range(have, args.messages))
    errors = []

    def appender(part):
        session = connect(args)
        for n in part:
            typ, data = session.append("INBOX", None, None, message(n, args.user))
            if typ != "OK":
                errors.append(data)
        session.logout()

    threads = [threading.Thread(target=appender, args=(todo[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("%s: %d APPENDs failed, e.g. %r" % (args.label, len(errors), errors[0]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--label", default="server")
    parser.add_argument("--json")
    args = parser.parse_args()

    fill_start = time.monotonic()
    fill(args)
    fill_s = time.monotonic() - fill_start
    times = []
    fetched = 0
    size = 0
    for _ in range(args.repeat):
        imap = connect(args)
        typ, data = imap.select("INBOX")
        if typ != "OK":
            raise SystemExit("%s: SELECT INBOX answered %s %r" % (args.label, typ, data))
        start = time.monotonic()
        typ, data = imap.fetch("1:*", "(FLAGS BODY.PEEK[])")
        times.append(time.monotonic() - start)
        if typ != "OK":
            raise SystemExit("%s: FETCH answered %s %r" % (args.label, typ, data))
        parts = [d for d in data if isinstance(d, tuple)]
        fetched = len(parts)
        size = sum(len(p[1]) for p in parts)
        imap.logout()
    median = statistics.median(times)
    print("%-10s FETCH 1:* (FLAGS BODY.PEEK[]) of %d messages (%.1f MB): median %.0f ms, runs %s ms (filling took %.0f s)"
          % (args.label, fetched, size / 1e6, median * 1000, " ".join("%.0f" % (t * 1000) for t in times), fill_s))
    if fetched != args.messages:
        print("%-10s WARNING: %d messages fetched, %d expected" % (args.label, fetched, args.messages))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"label": args.label, "messages": fetched, "bytes": size, "median_ms": median * 1000,
                       "runs_ms": [t * 1000 for t in times], "fill_s": fill_s}, out, indent=1)


if __name__ == "__main__":
    sys.exit(main())
