/**
 * Our client for clamd (clamd(8), "COMMANDS"): {@code zINSTREAM} and {@code zPING} over TCP or a
 * unix socket. Knows nothing of James' {@code Mail}.
 */
package com.diegonmarcos.mailpack.clamav;
