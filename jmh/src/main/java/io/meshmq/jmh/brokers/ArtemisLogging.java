package io.meshmq.jmh.brokers;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Artemis's logging as its own distribution sets it: the audit loggers off. Artemis logs through SLF4J, and the
 * benchmark's class path carries slf4j-jdk14 (the cluster module's binding for Apache Ratis) whose java.util.logging
 * default, INFO, turned on Artemis's audit lines, two per message with the routing table: from 30dec77 until this was
 * found (issue 20) Artemis spent its time logging and measured 2.5 to 4 times slower than it is.
 */
final class ArtemisLogging
{
    /** Held: java.util.logging keeps loggers only weakly, and a collected one forgets its level. */
    private static final Logger AUDIT = Logger.getLogger("org.apache.activemq.audit");

    private ArtemisLogging()
    {
    }

    static void asItsDistributionDoes()
    {
        AUDIT.setLevel(Level.OFF);
    }
}
