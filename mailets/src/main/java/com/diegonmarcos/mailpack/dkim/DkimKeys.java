package com.diegonmarcos.mailpack.dkim;

import java.util.List;

/** Where the signing keys of local domains come from (the key store in var/dkim/, or PEM files). */
public interface DkimKeys {
    /**
     * @param domain a domain, any case
     * @return the keys to sign mail from {@code domain} with now, one signature each; empty when
     *         the domain is not one we sign for
     */
    List<SigningKey> signingKeys(String domain);
}
