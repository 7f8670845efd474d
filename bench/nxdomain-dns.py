#!/usr/bin/python3
"""A DNS server for benchmarks that answers NXDOMAIN to every query at once (UDP, 127.0.0.1:PORT).

Without Internet access the mail-authentication lookups (SPF, DKIM, DMARC at DATA) would each wait for
a resolver timeout; an immediate NXDOMAIN ("no such domain") lets the benchmark measure the server.
Usage: nxdomain-dns.py PORT
"""
import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    query, client = sock.recvfrom(4096)
    if len(query) < 12:
        continue
    # same id and question; QR=1, opcode copied, RD copied, RA=1, RCODE=3 (NXDOMAIN); no answers
    flags = bytes([0x80 | (query[2] & 0x79), 0x83])
    sock.sendto(query[:2] + flags + query[4:6] + b"\x00\x00\x00\x00\x00\x00" + query[12:], client)
