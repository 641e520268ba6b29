/**
 * The web console ({@code console.bind}, off by default): pages served by the JDK's small HTTP server on threads of
 * its own, for the broker's users who hold {@code manage} on {@code meshmq.management}. Everything it shows or does
 * goes through the admin verbs (the processor answers them through the ring), as the command line and JMX do; it
 * keeps no broker state of its own but the last minutes' counts for its charts.
 */
package io.meshmq.metrics.console;
