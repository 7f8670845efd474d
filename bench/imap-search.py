#!/usr/bin/env python3
"""IMAP SEARCH by substring on a large folder, the same messages and queries on several servers.

    imap-search.py --messages 10000 --repeat 5 \\
        --target mailpack:127.0.0.1:1993:tls:USER:PASSWORD:PID --target dovecot:127.0.0.1:1143:plain:USER:PASSWORD

Each target: its INBOX is filled up to --messages over APPEND (4 sessions in parallel, untimed; the
messages are generated from their number, ~2 KB, a third quoted-printable, a third base64), then in
one session, after EXAMINE INBOX, every query runs once more than --repeat: the first time (a server
may fill its caches then) and the median of the others are printed, per query and target, with the
ratio of the medians to the last target. The number of messages each query answers is checked
against what the generator put in, so a server that answers fast but wrong is reported. With a PID
(7th field), the process's RSS is sampled every 50 ms during the queries: before, and the highest
seen. Only the Python standard library.
"""
import argparse
import base64
import imaplib
import quopri
import random
import ssl
import statistics
import sys
import threading
import time

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu meeting invoice budget project "
         "review schedule report draft release server mailbox folder").split()
TOPICS = ("billing", "holidays", "release", "security", "hiring", "travel", "backups", "migration", "support",
          "roadmap", "budget", "offsite", "training", "audit", "licences", "hardware", "network", "pricing",
          "marketing", "legal")
SENDERS = 500
NEEDLE_EVERY = 100  # one message in NEEDLE_EVERY has "asdfghjkl" in its body


def message(n):
    """Message number n: headers and a body of words; every NEEDLE_EVERY-th has the needle in the body."""
    rng = random.Random(n)
    lines = [" ".join(rng.choice(WORDS) for _ in range(10)) for _ in range(30)]
    if n % NEEDLE_EVERY == 0:
        lines[17] = lines[17] + " qwertyasdfghjklzxcv " + lines[17]
    body = "\r\n".join(lines) + "\r\n"
    headers = [
        "From: " + from_header(n),
        "To: list%d@example.org" % (n % 13),
        "Subject: " + subject(n),
        "Date: Mon, %d Mar 2025 10:%02d:00 +0100" % (1 + n % 28, n % 60),
        "Message-ID: <search-%d@example.org>" % n,
        "MIME-Version: 1.0",
    ]
    if n % 3 == 1:
        headers += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable"]
        encoded = quopri.encodestring(body.replace("\r\n", "\n").encode()).decode().replace("\n", "\r\n")
    elif n % 3 == 2:
        headers += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"]
        encoded = base64.encodebytes(body.encode()).decode().replace("\n", "\r\n")
    else:
        headers += ["Content-Type: text/plain; charset=UTF-8"]
        encoded = body
    return ("\r\n".join(headers) + "\r\n\r\n" + encoded).encode()


def expected_count(query, n_messages):
    """How many of the generated messages a query must answer."""
    return sum(1 for n in range(n_messages) if query[2](n))


def from_header(n):
    return '"Person %d" <user%d@domain%d.example>' % (n % SENDERS, n % SENDERS, n % 37)


def subject(n):
    return "report number %d about %s" % (n, TOPICS[n % len(TOPICS)])


# label, IMAP search criteria, predicate over the message number (what must match)
QUERIES = [
    ("FROM substring", 'FROM "ser42@dom"', lambda n: "ser42@dom" in from_header(n).lower()),
    ("SUBJECT substring", 'SUBJECT "777 ab"', lambda n: "777 ab" in subject(n).lower()),
    ("TEXT substring", "TEXT sdfghjk", lambda n: n % NEEDLE_EVERY == 0),
    ("BODY substring", "BODY sdfghjk", lambda n: n % NEEDLE_EVERY == 0),
    ("UNSEEN (index only)", "UNSEEN", lambda n: True),
]


def parse_target(text):
    fields = text.split(":")
    if len(fields) not in (6, 7):
        raise SystemExit("--target LABEL:HOST:PORT:tls|plain:USER:PASSWORD[:PID], not %r" % text)
    return {"label": fields[0], "host": fields[1], "port": int(fields[2]), "tls": fields[3] == "tls",
            "user": fields[4], "password": fields[5], "pid": int(fields[6]) if len(fields) == 7 else None}


def connect(target, timeout):
    if target["tls"]:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        imap = imaplib.IMAP4_SSL(target["host"], target["port"], ssl_context=context, timeout=timeout)
    else:
        imap = imaplib.IMAP4(target["host"], target["port"], timeout=timeout)
    imap.login(target["user"], target["password"])
    return imap


def fill(target, n_messages, timeout):
    imap = connect(target, timeout)
    typ, data = imap.select("INBOX")
    have = int(data[0]) if typ == "OK" else 0
    imap.logout()
    todo = list(range(have, n_messages))
    errors = []

    def appender(part):
        session = connect(target, timeout)
        for n in part:
            typ, data = session.append("INBOX", None, None, message(n))
            if typ != "OK":
                errors.append(data)
        session.logout()

    threads = [threading.Thread(target=appender, args=(todo[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("%s: %d APPENDs failed, e.g. %r" % (target["label"], len(errors), errors[0]))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, rss_kib(pid), True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.05)


def measure(target, repeat, timeout):
    """{query label: (median ms, first run ms, count)} and (rss before, peak) in KiB or None."""
    imap = connect(target, timeout)
    typ, data = imap.select("INBOX", readonly=True)  # EXAMINE: no \\Recent or \\Seen changes between runs
    if typ != "OK":
        raise SystemExit("%s: EXAMINE INBOX answered %s %r" % (target["label"], typ, data))
    sampler = RssSampler(target["pid"]) if target["pid"] else None
    before = sampler.peak if sampler else None
    if sampler:
        sampler.start()
    results = {}
    for label, criteria, _ in QUERIES:
        times, count, first = [], None, None
        for run in range(repeat + 1):
            start = time.monotonic()
            typ, data = imap.uid("SEARCH", criteria)
            elapsed = time.monotonic() - start
            if typ != "OK":
                raise SystemExit("%s: SEARCH %s answered %s %r" % (target["label"], criteria, typ, data))
            count = len(data[0].split()) if data and data[0] else 0
            if run > 0:
                times.append(elapsed * 1000)
            else:
                first = elapsed * 1000
        results[label] = (statistics.median(times), first, count)
    if sampler:
        sampler.running = False
        sampler.join()
    imap.logout()
    return results, (before, sampler.peak) if sampler else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--target", action="append", required=True, type=parse_target)
    args = parser.parse_args()

    measured = []
    for target in args.target:
        start = time.monotonic()
        fill(target, args.messages, args.timeout)
        print("%s: INBOX filled to %d messages in %.0f s" % (target["label"], args.messages, time.monotonic() - start),
              file=sys.stderr)
        measured.append(measure(target, args.repeat, args.timeout))

    labels = [t["label"] for t in args.target]
    print("| query | criteria | matches | " + " | ".join("%s ms: first / median of next %d" % (l, args.repeat) for l in labels)
          + (" | ratio %s / %s |" % (labels[0], labels[-1]) if len(labels) > 1 else " |"))
    print("| --- | --- | ---: |" + " ---: |" * len(labels) + (" ---: |" if len(labels) > 1 else ""))
    wrong = []
    for query in QUERIES:
        label, criteria, _ = query
        want = expected_count(query, args.messages)
        cells = []
        for target, (results, _) in zip(args.target, measured):
            median, first, count = results[label]
            cells.append("%.0f / %.0f" % (first, median))
            if count != want:
                wrong.append("%s answered %d messages to %s, %d expected" % (target["label"], count, criteria, want))
        ratio = ""
        if len(labels) > 1:
            first, last = measured[0][0][label][0], measured[-1][0][label][0]
            ratio = " %.1f |" % (first / last) if last > 0 else " n/a |"
        print("| %s | `%s` | %d | %s |%s" % (label, criteria, want, " | ".join(cells), ratio))
    for target, (_, rss) in zip(args.target, measured):
        if rss:
            print("\n%s RSS: %.0f MiB before the queries, at most %.0f MiB during them"
                  % (target["label"], rss[0] / 1024, rss[1] / 1024))
    for line in wrong:
        print("WRONG: " + line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
