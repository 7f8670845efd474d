package com.diegonmarcos.mailpack.dmarc;

import java.time.Duration;

import com.diegonmarcos.mailpack.dkim.DkimVerifier;

/**
 * How inbound mail on port 25 is authenticated at DATA time ({@code conf/dmarc.xml}).
 *
 * @param authservId the authserv-id of our Authentication-Results field (RFC 8601)
 * @param tempFailOnTempError a DNS failure that leaves the disposition unknown answers {@code 451};
 *     false: the mail is accepted with {@code dmarc=temperror}
 * @param local trusted forwarders and never-reject domains
 * @param maxSignatures DKIM signatures verified per message
 * @param partialBody what a valid DKIM signature with a partial {@code l=} is worth
 * @param clockSkew how far in the future a DKIM {@code t=} may be
 * @param minRsaBits shorter DKIM RSA keys give {@code policy}
 */
public record DmarcSettings(String authservId, boolean tempFailOnTempError, LocalPolicy local, int maxSignatures,
                            DkimVerifier.PartialBody partialBody, Duration clockSkew, int minRsaBits) {

    public static DmarcSettings defaults(String authservId) {
        return new DmarcSettings(authservId, true, LocalPolicy.NONE, 5, DkimVerifier.PartialBody.POLICY, Duration.ofMinutes(5), 1024);
    }

    public DmarcSettings with(boolean tempFail, LocalPolicy localPolicy) {
        return new DmarcSettings(authservId, tempFail, localPolicy, maxSignatures, partialBody, clockSkew, minRsaBits);
    }
}
