#!/usr/bin/env python3
"""bench/core-chain.py CONF_DIR: turn a copy of mailpack's conf/ into "James' core path only".

Used by bench.sh for its third system: the same server (the same jar, Guice wiring, JPA/Derby
mailbox, ActiveMQ queue and Lucene index) with nothing of mailpack's on the way of an inbound
message. It shows how much of the delivery cost is mailpack's own checks and how much is James'
path from SMTP to the INBOX, which no change to our chain can make cheaper.

- conf/smtpserver.xml, the port 25 listener (the first <smtpserver>): every handler of ours is
  removed (recipient check, rate limits, SPF/DKIM/DMARC at DATA, rspamd/clamd); James'
  CoreCmdHandlerLoader stays.
- conf/mailetcontainer.xml: every mailet is removed but the two James requires or that deliver:
  RemoveMimeHeader (James refuses to start without it) and LocalDelivery. Matchers, processors
  and the other processors' error handling stay as they are.

Edits the files in place; fails loudly when the files do not have the expected shape.
"""
import sys
import xml.etree.ElementTree as ET

KEEP_MAILETS = {"RemoveMimeHeader", "LocalDelivery"}
OURS = "com.diegonmarcos.mailpack."


def strip_mailets(path):
    tree = ET.parse(path)
    removed = 0
    for processor in tree.getroot().iter("processor"):
        for mailet in list(processor.findall("mailet")):
            if mailet.get("class") not in KEEP_MAILETS and processor.get("state") in ("root", "transport"):
                processor.remove(mailet)
                removed += 1
        if processor.get("state") == "root":
            # what root did last: hand everything to transport
            forward = ET.SubElement(processor, "mailet", {"match": "All", "class": "ToProcessor"})
            ET.SubElement(forward, "processor").text = "transport"
    transport = [p for p in tree.getroot().iter("processor") if p.get("state") == "transport"]
    if not transport or transport[0].find("mailet[@class='LocalDelivery']") is None:
        sys.exit(f"{path}: no LocalDelivery in the transport processor")
    if removed == 0:
        sys.exit(f"{path}: found no mailet to remove")
    # what LocalDelivery does not take goes where the shipped chain sends it (no relaying here)
    for name, target in (("HostIsLocal", "local-address-error"), ("All", "relay-denied")):
        forward = ET.SubElement(transport[0], "mailet", {"match": name, "class": "ToProcessor"})
        ET.SubElement(forward, "processor").text = target
    tree.write(path, encoding="utf-8", xml_declaration=True)


def strip_inbound_handlers(path):
    tree = ET.parse(path)
    inbound = tree.getroot().find("smtpserver")
    chain = inbound.find("handlerchain") if inbound is not None else None
    if chain is None:
        sys.exit(f"{path}: no handlerchain in the first <smtpserver>")
    ours = [h for h in chain.findall("handler") if h.get("class", "").startswith(OURS)]
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
