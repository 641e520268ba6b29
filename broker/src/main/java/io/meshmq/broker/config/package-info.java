/**
 * The broker's configuration file and command-line settings, validated before anything starts: every
 * error names the key (and the file and line) and what is accepted. Used on the main thread at start-up.
 */
package io.meshmq.broker.config;
