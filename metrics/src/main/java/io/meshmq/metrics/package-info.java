/**
 * The broker's Prometheus endpoint ({@code metrics.bind}): scrapes run on the HTTP server's threads and ask the
 * processor for its tables through the ring (the same admin verbs the command line uses), so no broker state is read
 * from another thread; the journal's force times come from its syncer thread into a histogram. Built on the
 * Prometheus Java client (its HTTP server and JVM metrics).
 */
package io.meshmq.metrics;
