#!/usr/bin/python3
"""dkimpy's cost on the messages and keys of mailpack's DKIM benchmark (written by DkimBenchData).

  /usr/bin/python3 bench/dkim_dkimpy.py DATA_DIRECTORY [SECONDS]

Prints one line per measurement: "<operation> <size> <median µs> <mean µs> <calls>" (each call timed),
operations signBoth, signEd25519, signRsa, verifyBoth, as in DkimBenchmark (relaxed/relaxed, the
same header list, keys from memory). Each is run for SECONDS (default 3) after a short warm-up.
"""
import sys
import time

import dkim

HEADERS = [b'from', b'from', b'to', b'to', b'cc', b'cc', b'subject', b'subject', b'date', b'date', b'reply-to',
           b'message-id', b'message-id', b'mime-version', b'mime-version', b'content-type', b'content-type',
           b'content-transfer-encoding', b'content-transfer-encoding']
DOMAIN = b'diegonmarcos.com'


def timed(operation, seconds):
    for _ in range(20):
        operation()
    samples = []
    deadline = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        operation()
        end = time.perf_counter()
        samples.append((end - start) * 1e6)
        if end >= deadline:
            samples.sort()
            return samples[len(samples) // 2], sum(samples) / len(samples), len(samples)


def main():
    directory = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    ed25519 = open(directory + '/ed25519.seed', 'rb').read().strip()
    rsa = open(directory + '/rsa.pem', 'rb').read()
    records = {}
    for line in open(directory + '/records.txt'):
        name, value = line.rstrip('\n').split('\t')
        records[name.encode()] = value.encode()

    def dnsfunc(name, timeout=5):
        return records.get(name if name.endswith(b'.') else name + b'.')

    for size in (4096, 102400):
        message = open('%s/message-%d.eml' % (directory, size), 'rb').read()

        def sign(selector, key, algorithm):
            return dkim.sign(message, selector, DOMAIN, key, signature_algorithm=algorithm,
                             canonicalize=(b'relaxed', b'relaxed'), include_headers=HEADERS)

        sign_ed = lambda: sign(b'bench-e', ed25519, b'ed25519-sha256')
        sign_rsa = lambda: sign(b'bench-r', rsa, b'rsa-sha256')
        signed = sign_ed() + sign_rsa() + message

        def verify_both():
            checker = dkim.DKIM(signed)
            if not (checker.verify(idx=0, dnsfunc=dnsfunc) and checker.verify(idx=1, dnsfunc=dnsfunc)):
                raise SystemExit('dkimpy did not verify its own signatures')

        for name, operation in (('signBoth', lambda: (sign_ed(), sign_rsa())), ('signEd25519', sign_ed),
                                ('signRsa', sign_rsa), ('verifyBoth', verify_both)):
            median, mean, count = timed(operation, seconds)
            print('%s %d %.1f %.1f %d' % (name, size, median, mean, count), flush=True)


if __name__ == '__main__':
    main()
