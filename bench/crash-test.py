#!/usr/bin/env python3
"""Load and checks of bench/crash-test.sh (not run alone).

  crash-test.py load HOST PORT SESSIONS DIR   SMTP sessions in parallel until DIR/stop exists; each
      message carries a unique counter in Message-ID and Subject; one line per 250 to DATA in
      DIR/accepted, one per DATA without an answer (the server died) in DIR/uncertain.
  crash-test.py check HOST IMAPS_PORT USER PASSWORD DIR   counts what the mailbox holds against
      DIR/accepted: lost, duplicated, missing from SEARCH; prints one line of key=value.
"""
import os
import re
import smtplib
import ssl
import sys
import threading
import time
import imaplib

RCPT_DOMAIN = "diegonmarcos.com"


def load(host, port, sessions, directory):
    lock = threading.Lock()
    counter = [0]
    accepted = open(os.path.join(directory, "accepted"), "a", buffering=1)
    uncertain = open(os.path.join(directory, "uncertain"), "a", buffering=1)
    stop = os.path.join(directory, "stop")
    run = os.getpid()

    def next_id():
        with lock:
            counter[0] += 1
            return "%d-%d" % (run, counter[0])

    def session(number):
        while not os.path.exists(stop):
            try:
                smtp = smtplib.SMTP(host, port, timeout=30)
                smtp.ehlo("crash-test.example")
                for _ in range(20):
                    if os.path.exists(stop):
                        break
                    ident = next_id()
                    message = ("From: load@crash-test.example\r\nTo: diego@%s\r\nSubject: crashtest %s\r\n"
                               "Message-ID: <crashtest-%s@crash-test.example>\r\n\r\nmessage %s from session %d\r\n"
                               % (RCPT_DOMAIN, ident, ident, ident, number))
                    try:
                        smtp.sendmail("load@crash-test.example", ["diego@%s" % RCPT_DOMAIN], message)
                    except (smtplib.SMTPServerDisconnected, OSError):
                        with lock:
                            uncertain.write(ident + "\n")
                        raise
                    with lock:
                        accepted.write(ident + "\n")
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                time.sleep(0.2)  # the server is down or starting: try again

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def check(host, port, user, password, directory):
    with open(os.path.join(directory, "accepted")) as f:
        accepted = [line.strip() for line in f if line.strip()]
    uncertain_path = os.path.join(directory, "uncertain")
    uncertain = set()
    if os.path.exists(uncertain_path):
        with open(uncertain_path) as f:
            uncertain = {line.strip() for line in f if line.strip()}
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    imap = imaplib.IMAP4_SSL(host, port, ssl_context=context)
    imap.login(user, password)
    typ, data = imap.select("INBOX", readonly=True)
    count = int(data[0])
    by_uid = {}
    if count:
        typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for item in data:
            if isinstance(item, tuple):
                uid = re.search(rb"UID (\d+)", item[0]).group(1).decode()
                match = re.search(rb"crashtest-([0-9-]+)@", item[1])
                if match:
                    by_uid[uid] = match.group(1).decode()
    stored = {}
    for uid, ident in by_uid.items():
        stored.setdefault(ident, []).append(uid)
    typ, data = imap.uid("SEARCH", "SUBJECT", "crashtest")
    found = set(data[0].decode().split())
    not_found = [uid for uid in by_uid if uid not in found]
    imap.logout()
    lost = [i for i in accepted if i not in stored]
    duplicated = [i for i, uids in stored.items() if len(uids) > 1]
    extra = sum(len(u) - 1 for u in stored.values() if len(u) > 1)
    stored_uncertain = sum(1 for i in uncertain if i in stored)
    print("accepted=%d stored_messages=%d distinct=%d lost=%d duplicated_ids=%d extra_copies=%d "
          "missing_from_search=%d uncertain=%d uncertain_stored=%d"
          % (len(accepted), len(by_uid), len(stored), len(lost), len(duplicated), extra, len(not_found),
             len(uncertain), stored_uncertain))
    for name, values in (("lost", lost), ("duplicated", duplicated), ("missing_from_search_uids", not_found)):
        if values:
            print("  %s: %s" % (name, " ".join(values[:20])))


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        check(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
