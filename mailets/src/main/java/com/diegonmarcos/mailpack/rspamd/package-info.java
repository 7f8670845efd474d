/**
 * Our client for the rspamd HTTP protocol (https://rspamd.com/doc/developers/protocol.html):
 * {@code POST /checkv2} on the normal worker, {@code /learnspam}, {@code /learnham}, {@code /stat}
 * and {@code /ping} on the controller. Knows nothing of James' {@code Mail}.
 */
package com.diegonmarcos.mailpack.rspamd;
