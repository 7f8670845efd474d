#!/usr/bin/python3
"""dkimpy (Debian python3-dkim, python3-nacl for ed25519) as an independent DKIM peer for mailpack's tests.

  dkim_tool.py verify --dns 127.0.0.1:PORT MESSAGE
      one line per DKIM-Signature, in header order: "pass|fail <d> <s> <a> [reason]"; keys are
      looked up (dnspython) at the given authoritative test server, as any verifier would.
  dkim_tool.py sign --selector S --domain D --algorithm rsa-sha256|ed25519-sha256 --key FILE [--length] MESSAGE
      prints the DKIM-Signature field dkimpy makes (relaxed/relaxed; --length adds l=).
      FILE: an RSA private key (PEM) or the base64 32-octet seed of an ed25519 key (dkimpy's format).
"""
import argparse
import sys

import dkim
import dkim.util
import dns.exception
import dns.resolver


def dnsfunc_for(server):
    host, port = server.rsplit(':', 1)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port)
    resolver.lifetime = 5

    def dnsfunc(name, timeout=5):
        name = name.decode('ascii') if isinstance(name, bytes) else name
        try:
            answer = resolver.resolve(name, 'TXT')
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except dns.exception.Timeout as e:
            raise dkim.DnsTimeoutError(str(e))
        return b''.join(answer[0].strings)

    return dnsfunc


def verify(arguments):
    message = open(arguments.message, 'rb').read()
    checker = dkim.DKIM(message)
    signatures = [value for (name, value) in checker.headers if name.lower() == b'dkim-signature']
    dnsfunc = dnsfunc_for(arguments.dns)
    for index, value in enumerate(signatures):
        try:
            tags = dkim.util.parse_tag_value(value)
        except Exception as e:
            print('fail - - - unparsable: %s' % e)
            continue
        describe = ' '.join(tags.get(tag, b'-').decode('ascii', 'replace') for tag in (b'd', b's', b'a'))
        try:
            ok = dkim.DKIM(message).verify(idx=index, dnsfunc=dnsfunc)
            print(('pass ' if ok else 'fail ') + describe)
        except Exception as e:
            print('fail %s %s' % (describe, str(e).replace('\n', ' ')))


def sign(arguments):
    message = open(arguments.message, 'rb').read()
    key = open(arguments.key, 'rb').read().strip()
    field = dkim.sign(message, arguments.selector.encode(), arguments.domain.encode(), key,
                      signature_algorithm=arguments.algorithm.encode(),
                      canonicalize=(b'relaxed', b'relaxed'),
                      include_headers=[b'from', b'to', b'subject', b'date', b'message-id'],
                      length=arguments.length)
    sys.stdout.buffer.write(field)


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest='command', required=True)
    v = commands.add_parser('verify')
    v.add_argument('--dns', required=True)
    v.add_argument('message')
    s = commands.add_parser('sign')
    s.add_argument('--selector', required=True)
    s.add_argument('--domain', required=True)
    s.add_argument('--algorithm', required=True, choices=['rsa-sha256', 'ed25519-sha256'])
    s.add_argument('--key', required=True)
    s.add_argument('--length', action='store_true')
    s.add_argument('message')
    arguments = parser.parse_args()
    verify(arguments) if arguments.command == 'verify' else sign(arguments)


if __name__ == '__main__':
    main()
