/**
 * DKIM signing and verification: RFC 6376 (DomainKeys Identified Mail), RFC 8463 (ed25519-sha256),
 * RFC 8301 (rsa-sha1 refused, RSA keys of at least 1024 bits), results as RFC 8601
 * Authentication-Results tokens.
 *
 * <p>Plain objects that know nothing of James: {@link com.diegonmarcos.mailpack.dkim.DkimSigner}
 * and {@link com.diegonmarcos.mailpack.dkim.DkimVerifier} read a message as the bytes that will be
 * (or were) transmitted; the mailets in {@code com.diegonmarcos.mailpack.mailets} adapt them to
 * {@code Mail}. The cryptography is the JDK's (SHA-256, RSA PKCS#1 v1.5) and Bouncy Castle's
 * (Ed25519); tag lists, canonicalization and header selection are here.
 */
package com.diegonmarcos.mailpack.dkim;
