/**
 * IMAP SEARCH by content (RFC 3501 §6.4.4, RFC 9051 §6.4.4): string keys ({@code FROM}, {@code TO},
 * {@code CC}, {@code BCC}, {@code SUBJECT}, {@code HEADER}, {@code BODY}, {@code TEXT}) are
 * case-insensitive substring matches on the decoded content (RFC 2047 encoded words, quoted-printable
 * and base64 bodies in their charset), and {@code SENT*} compare the Date: header's own calendar day.
 */
package com.diegonmarcos.mailpack.modules.search;
