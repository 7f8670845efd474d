#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (fuzz/run.sh calls it) from the project's test
vectors (mailets/src/test/resources/vectors), the openspf RFC 7208 suite when python3-spf is
installed, and a few hand-written replies. Usage: seeds.py <repository root> <output dir>"""
import glob
import gzip
import hashlib
import os
import re
import sys

root, out = sys.argv[1], sys.argv[2]
vectors = os.path.join(root, "mailets/src/test/resources/vectors")
seeds = {}


def add(target, text):
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    seeds.setdefault(target, set()).add(data)


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# DKIM: key records, signature fields, whole messages (vectors/dkim/*.vector)
for path in sorted(glob.glob(os.path.join(vectors, "dkim/*.vector"))):
    text = open(path, encoding="utf-8").read()
    dns = re.findall(r"^dns: (\S+) (.*)$", text, re.M)
    for _, record in dns:
        add("DkimTagList", record)
    if "\nmessage:\n" in text:
        message = text.split("\nmessage:\n", 1)[1]
        header = message.split("\n\n", 1)[0]
        for field in re.findall(r"^DKIM-Signature:(.*(?:\n[ \t].*)*)", header, re.M):
            add("DkimSignature", crlf(field))
            add("DkimTagList", crlf(field))
        extra = "".join("X-Dns: %s TXT %s\n" % (name, record) for name, record in dns)
        add("DkimVerifier", crlf(message))
        add("DkimVerifier", crlf(extra + message))
    if "\nbody:\n" in text:
        add("DkimVerifier", crlf("From: a@example.org\nSubject: body\n\n" + text.split("\nbody:\n", 1)[1]))
add("DkimVerifier", crlf("From: a@example.org\nX-Dns: s._domainkey.example.org TXT TEMPFAIL\n"
                         "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA\n\nhi\n"))
for record in ["v=DKIM1; k=rsa; p=", "v=DKIM1; k=ed25519; t=y:s; h=sha256; s=email; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
               "k=rsa; n=notes; p=MIGfMA0G!!not-base64!!", "v=DKIM1;;; p = AB CD\r\n\tEF ;"]:
    add("DkimTagList", record)
    add("DkimSignature", " " + record)

# SPF: records and whole evaluations (the openspf RFC 7208 suite, as python3-spf installs it)
suite = "/usr/share/doc/python3-spf/rfc7208-tests.yml.gz"
for record in ["v=spf1 -all", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a:%{d}/24//64 mx/24 ptr:%{ir}.%{v}.arpa ~all",
               "v=spf1 include:_spf.%{o} exists:%{l1r+-}.%{i}._spf.%{d2} redirect=%{d}.example.net exp=explain.%{d}",
               "v=spf1 a:%{p}.%{P}.example.com ?all"]:
    add("SpfRecord", record)
    add("SpfCheck", "192.0.2.1 user@example.com mx.example.com\nexample.com TXT " + record + "\nexample.com A 192.0.2.1\n")
if os.path.exists(suite):
    import yaml
    for scenario in yaml.safe_load_all(gzip.open(suite, "rt", encoding="utf-8")):
        zone = []
        for name, entries in (scenario.get("zonedata") or {}).items():
            has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
            for entry in entries:
                if entry == "TIMEOUT":
                    for kind in ("TXT", "A", "AAAA", "MX", "PTR"):
                        zone.append("%s %s TEMPFAIL" % (name, kind))
                    continue
                if not isinstance(entry, dict):
                    continue
                for kind, value in entry.items():
                    if kind == "SPF":
                        value = "".join(value) if isinstance(value, list) else value
                        add("SpfRecord", value)
                        if not has_txt:
                            zone.append("%s TXT %s" % (name, value))
                    elif kind == "TXT":
                        add("SpfRecord", value)
                        zone.append("%s TXT %s" % (name, value))
                    elif kind == "MX":
                        zone.append("%s MX %s %s" % (name, value[0], value[1]))
                    elif kind in ("A", "AAAA", "PTR"):
                        zone.append("%s %s %s" % (name, kind, value))
        for test in (scenario.get("tests") or {}).values():
            add("SpfCheck", "%s %s %s\n%s\n" % (test.get("host"), test.get("mailfrom", ""), test.get("helo", ""), "\n".join(zone)))
else:
    print("seeds.py: %s not found (apt-get install python3-spf): SPF seeds are the hand-written ones only" % suite)

# DMARC: records and From values (vectors/dmarc/*.yaml)
import yaml
for path in sorted(glob.glob(os.path.join(vectors, "dmarc/*.yaml"))):
    vector = yaml.safe_load(open(path, encoding="utf-8"))
    for name, kind, value in vector.get("dns", []):
        if kind == "TXT" and "_dmarc" in name:
            add("DmarcRecord", value)
    for value in vector.get("from", []):
        add("DmarcRecord", value)
for record in ["v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=r; pct=50; ri=3600; "
               "rua=mailto:dmarc@example.com!10m,mailto:a%40b@example.net, mailto:x@y.example!1t",
               "v=DMARC1;p=none;rua=mailto:" + "a" * 60 + "@" + "b" * 60 + ".example"]:
    add("DmarcRecord", record)

# rspamd /checkv2 replies (https://rspamd.com/doc/developers/protocol.html)
add("RspamdReply", '{"is_skipped":false,"score":5.2,"required_score":15.0,"action":"add header",'
                   '"symbols":{"R_SPF_FAIL":{"name":"R_SPF_FAIL","score":1.0,"options":["-all"]},'
                   '"BAYES_SPAM":{"name":"BAYES_SPAM","score":4.2}},"messages":{"smtp_message":"Spam message rejected"},'
                   '"message-id":"x@y","time_real":0.1,"milter":{"add_headers":{"X-Spam":"Yes"}}}')
add("RspamdReply", '{"score":-0.1,"required_score":15,"action":"no action","symbols":{}}')
add("RspamdReply", '{"action":"soft reject","score":"NaN","messages":{"smtp_message":["not", "text"]}}')
add("RspamdReply", '[[[[{"action":null}]]]]')

# clamd replies (clamd(8))
for reply in [b"stream: OK\0", b"stream: Eicar-Test-Signature FOUND\0", b"INSTREAM size limit exceeded. ERROR\0",
              b"PONG\0", b"stream: Can't allocate memory ERROR\0", b"stream:  FOUND\0"]:
    add("ClamdReply", reply)

# Authentication-Results values
for value in [" mx.diegonmarcos.com;\r\n\tspf=pass smtp.mailfrom=a@example.org;\r\n\tdkim=pass header.d=example.org header.s=s",
              " (forged) \"mx.diegonmarcos.com\" 1; dmarc=pass (p=reject dis=NONE) header.from=example.org",
              "reason\0example.org\0sel\0rsa-sha256\0@example.org\0abcdefgh\0helo.example\0\"a b\"@example.org"]:
    add("AuthenticationResults", value)

# RCPT TO: arguments
for rcpt in ["<diego@diegonmarcos.com>", "<diego+news@diegonmarcos.com> NOTIFY=NEVER", "<\"victim@example.org\"@diegonmarcos.com>",
             "<victim%example.org@diegonmarcos.com>", "<example.org!victim@diegonmarcos.com>", "<@relay.example:diego@diegonmarcos.com>",
             "<Sales+x@DiegonMarcos.com>", "<me@diegonmarcos.com>", "postmaster", "<" + "x" * 80 + "@diegonmarcos.com>",
             "<\"a+b\"+c@diegonmarcos.com>", "<bob-x@other.example>", "<diego@[127.0.0.1]>", "<+@diegonmarcos.com>"]:
    add("RcptAddress", rcpt)

for target, items in sorted(seeds.items()):
    directory = os.path.join(out, target)
    os.makedirs(directory, exist_ok=True)
    for data in items:
        with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("seeds.py: %-22s %d seeds" % (target, len(items)))
