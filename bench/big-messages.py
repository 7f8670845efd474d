#!/usr/bin/env python3
"""Big messages end to end against a running server: send, wait for delivery, fetch over IMAP, RSS.

    big-messages.py --pid PID --user diego@diegonmarcos.com --password P
                    [--sizes 10,30,49] [--parallel 1,3] [--ports 2525,2587] [--imap-port 1993]
                    [--label main] [--json out.json]

For each port, size (MB of message on the wire) and parallelism, sends that many messages at once (a
base64 attachment of random bytes, 76-character lines), port 2525 without AUTH, 2587 with STARTTLS and
AUTH PLAIN as the user, then waits until every one is in the user's INBOX and fetches each with
BODY.PEEK[] over IMAPS, checking that the stored body is the sent one byte for byte and that every sent
header field is there (the server adds trace and signature fields). Meanwhile it samples the server's RSS (ps) every 0.2 s.

Prints one line per case: sent/delivered/intact counts, seconds to 250, to delivery, to fetch, the
peak RSS and the RSS after the case, and whether the server is still alive; DKIM-Signature present
on 2587. Exit status 1 if the server died or a message was lost or changed.
"""
import argparse
import base64
import imaplib
import json
import os
import smtplib
import ssl
import subprocess
import sys
import threading
import time
import uuid

DOMAIN_CTX = ssl.create_default_context()
DOMAIN_CTX.check_hostname = False
DOMAIN_CTX.verify_mode = ssl.CERT_NONE


def rss_kb(pid):
    try:
        out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
        return int(out) if out else None
    except ValueError:
        return None


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop_flag, self.dead = pid, 0, False, False

    def run(self):
        while not self.stop_flag:
            r = rss_kb(self.pid)
            if r is None:
                self.dead = True
                return
            self.peak = max(self.peak, r)
            time.sleep(0.2)


def big_message(mb, user, tag):
    raw = os.urandom(int(mb * 1024 * 1024 * 3 / 4 * 76 / 78) // 3 * 3)  # mb MiB on the wire with the CRLFs
    b64 = base64.b64encode(raw)
    lines = b"\r\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    head = ("From: " + user + "\r\nTo: " + user + "\r\nSubject: big " + tag + "\r\n"
            "Message-ID: <" + tag + "@bench.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            "--b1\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
            "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=\"big.bin\"\r\n\r\n").encode()
    return head + lines + b"\r\n--b1--\r\n"


def send(port, user, password, msg, results, i):
    t0 = time.time()
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=600)
        s.ehlo("bench.example")
        if port != 2525:
            s.starttls(context=DOMAIN_CTX)
            s.ehlo("bench.example")
            s.login(user, password)
            sender = user
        else:
            sender = "bench@example.org"
        s.sendmail(sender, [user], msg)
        s.quit()
        results[i] = ("ok", time.time() - t0)
    except Exception as e:  # the figure is the result
        results[i] = ("error: " + str(e)[:120], time.time() - t0)


def imap(args):
    c = imaplib.IMAP4_SSL("127.0.0.1", args.imap_port, ssl_context=DOMAIN_CTX, timeout=600)
    c.login(args.user, args.password)
    c.select("INBOX")
    return c


def find(c, tag):
    typ, data = c.search(None, "HEADER", "Message-ID", "<" + tag + "@bench.example>")
    return data[0].split() if typ == "OK" and data and data[0] else []


def case(args, port, mb, parallel):
    tags = [uuid.uuid4().hex for _ in range(parallel)]
    msgs = [big_message(mb, args.user, t) for t in tags]
    sampler = Sampler(args.pid)
    sampler.start()
    results = [None] * parallel
    t0 = time.time()
    threads = [threading.Thread(target=send, args=(port, args.user, args.password, msgs[i], results, i)) for i in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_sent = time.time() - t0
    delivered, intact, signed, t_delivered, t_fetched, note = 0, 0, 0, None, None, ""
    try:
        deadline = time.time() + args.timeout
        c = imap(args)
        pending = {t for t, r in zip(tags, results) if r and r[0] == "ok"}
        found = {}
        while pending and time.time() < deadline and not sampler.dead:
            for t in list(pending):
                ids = find(c, t)
                if ids:
                    found[t] = ids
                    pending.discard(t)
            if pending:
                time.sleep(1)
                c.noop()
        t_delivered = time.time() - t0
        delivered = sum(len(v) for v in found.values())
        for t, ids in found.items():
            sent = msgs[tags.index(t)]
            for mid in ids:
                typ, data = c.fetch(mid, "(BODY.PEEK[])")
                body = data[0][1] if typ == "OK" and data and isinstance(data[0], tuple) else b""
                stored_head, _, stored_body = body.partition(b"\r\n\r\n")
                sent_head, _, sent_body = sent.partition(b"\r\n\r\n")
                if stored_body == sent_body and all(f in stored_head for f in sent_head.split(b"\r\n")):
                    intact += 1  # the body byte for byte, every sent header field (JavaMail may reorder them)
                if b"DKIM-Signature:" in stored_head:
                    signed += 1
        t_fetched = time.time() - t0
        c.logout()
    except Exception as e:
        note = "imap error: " + str(e)[:120]
    sampler.stop_flag = True
    sampler.join()
    time.sleep(1)
    after = rss_kb(args.pid)
    alive = after is not None
    row = {"label": args.label, "port": port, "mb": mb, "parallel": parallel,
           "accepted": sum(1 for r in results if r and r[0] == "ok"), "delivered": delivered, "intact": intact,
           "signed": signed, "t_250": round(t_sent, 1), "t_delivered": t_delivered and round(t_delivered, 1),
           "t_fetched": t_fetched and round(t_fetched, 1), "peak_rss_mb": round(sampler.peak / 1024),
           "after_rss_mb": after and round(after / 1024), "alive": alive,
           "errors": sorted({r[0] for r in results if r and r[0] != "ok"}) + ([note] if note else [])}
    print(("{label:6} port {port} {mb:>3} MB x{parallel}: accepted {accepted} delivered {delivered} intact {intact}"
           " signed {signed}  250 after {t_250}s, delivered {t_delivered}s, fetched {t_fetched}s"
           "  RSS peak {peak_rss_mb} MB, after {after_rss_mb} MB  alive {alive} {errors}").format(**row), flush=True)
    return row


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--sizes", default="10,30,49")
    p.add_argument("--parallel", default="1,3")
    p.add_argument("--ports", default="2525,2587")
    p.add_argument("--imap-port", type=int, default=1993)
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--label", default="")
    p.add_argument("--json")
    args = p.parse_args()
    rows, ok = [], True
    for port in [int(x) for x in args.ports.split(",")]:
        for mb in [float(x) for x in args.sizes.split(",")]:
            for par in [int(x) for x in args.parallel.split(",")]:
                row = case(args, port, mb if mb != int(mb) else int(mb), par)
                rows.append(row)
                ok = ok and row["alive"] and row["intact"] == par
                if not row["alive"]:
                    break
            if rows and not rows[-1]["alive"]:
                break
        if rows and not rows[-1]["alive"]:
            break
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
