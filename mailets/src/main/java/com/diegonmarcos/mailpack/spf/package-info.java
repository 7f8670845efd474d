/**
 * SPF, RFC 7208: {@link com.diegonmarcos.mailpack.spf.SpfChecker} evaluates the MAIL FROM (or HELO)
 * identity of an SMTP client through our own resolver ({@code com.diegonmarcos.mailpack.dns}), so a
 * DNS failure is {@code temperror}; results are RFC 8601 tokens.
 */
package com.diegonmarcos.mailpack.spf;
