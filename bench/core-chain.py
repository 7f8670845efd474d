#!/usr/bin/env python3
"""bench/core-chain.py CONF_DIR: turn a copy of mailpack's conf/ into "James' core path only".

Used by bench.sh for its third system: the same server (the same jar, Guice wiring, JPA/Derby
mailbox, ActiveMQ queue and Lucene index) with nothing of mailpack's on the way of an inbound
message. It shows how much of the delivery cost is mailpack's own checks and how much is James'
path from SMTP to the INBOX, which no change to our chain can make cheaper.

- conf/smtpserver.xml, the port 25 listener (the first <smtpserver>): every handler of ours is
  removed (recipient check, rate limits, SPF/DKIM/DMARC at DATA, rspamd/clamd) but DataLimits,
  which the server requires first in every chain; James' CoreCmdHandlerLoader stays.
- conf/mailetcontainer.xml, processors root and transport: every mailet is removed but
  RemoveMimeHeader (James refuses to start without it) and LocalDelivery. Root then hands all
  mail to transport; in transport, what LocalDelivery did not take goes on as in the shipped chain
  (local-address-error for an unknown local user, relay-denied for the rest). The other
  processors (error, bounces, ...) stay as they are.

Edits the files in place; fails loudly when the files do not have the expected shape.
"""
import sys
import xml.etree.ElementTree as ET

KEEP_MAILETS = {"RemoveMimeHeader", "LocalDelivery"}
OURS = "com.diegonmarcos.mailpack."


def forward(processor, match, target):
    mailet = ET.SubElement(processor, "mailet", {"match": match, "class": "ToProcessor"})
    ET.SubElement(mailet, "processor").text = target


def strip_mailets(path):
    tree = ET.parse(path)
    processors = tree.getroot().find("processors")
    by_state = {p.get("state"): p for p in processors.findall("processor")} if processors is not None else {}
    if "root" not in by_state or "transport" not in by_state:
        sys.exit(f"{path}: no root and transport processors")
    root, transport = by_state["root"], by_state["transport"]
    if transport.find("mailet[@class='LocalDelivery']") is None:
        sys.exit(f"{path}: no LocalDelivery in the transport processor")
    for processor in (root, transport):
        for mailet in processor.findall("mailet"):
            if mailet.get("class") not in KEEP_MAILETS:
                processor.remove(mailet)
    forward(root, "All", "transport")
    # what LocalDelivery does not take goes where the shipped chain sends it (no relaying here)
    forward(transport, "HostIsLocal", "local-address-error")
    forward(transport, "All", "relay-denied")
    tree.write(path, encoding="utf-8", xml_declaration=True)


def strip_inbound_handlers(path):
    tree = ET.parse(path)
    inbound = tree.getroot().find("smtpserver")
    chain = inbound.find("handlerchain") if inbound is not None else None
    if chain is None:
        sys.exit(f"{path}: no handlerchain in the first <smtpserver>")
    # DataLimits stays: the server refuses to start without it (it only counts lines; James' own path
    # would otherwise store over-long lines cut)
    ours = [h for h in chain.findall("handler")
            if h.get("class", "").startswith(OURS) and h.get("class") != OURS + "smtp.DataLimits"]
    if not ours:
        sys.exit(f"{path}: the port 25 handlerchain has no mailpack handler to remove")
    for handler in ours:
        chain.remove(handler)
    if chain.find("handler[@class='org.apache.james.smtpserver.CoreCmdHandlerLoader']") is None:
        sys.exit(f"{path}: the port 25 handlerchain lost CoreCmdHandlerLoader")
    tree.write(path, encoding="utf-8", xml_declaration=True)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: core-chain.py CONF_DIR")
    conf = sys.argv[1]
    strip_mailets(f"{conf}/mailetcontainer.xml")
    strip_inbound_handlers(f"{conf}/smtpserver.xml")


if __name__ == "__main__":
    main()
