/** mailpack's mailets: thin adapters from James' {@code Mail} to the logic in the feature packages. */
package com.diegonmarcos.mailpack.mailets;
