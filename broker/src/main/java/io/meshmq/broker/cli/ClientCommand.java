package io.meshmq.broker.cli;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What {@code produce} and {@code consume} share: the connection flags, the destination, and a progress
 * line at most once a second.
 */
abstract class ClientCommand
{
    static final String DEFAULT_URL = MeshConnectionFactory.DEFAULT_URL;

    final Flags flags;
    final PrintStream out;
    private long lastProgressNs = System.nanoTime();

    ClientCommand(final Flags flags, final PrintStream out)
    {
        this.flags = flags;
        this.out = out;
    }

    static void checkDestination(final String verb, final Flags flags) throws UsageException
    {
        if (flags.has("--queue") == flags.has("--topic"))
        {
            throw new UsageException(verb + ": give exactly one of --queue NAME or --topic NAME");
        }
    }

    String destinationText()
    {
        return flags.has("--queue") ? "queue " + flags.get("--queue") : "topic " + flags.get("--topic");
    }

    Destination destination(final Session session) throws JMSException
    {
        return flags.has("--queue") ? session.createQueue(flags.get("--queue")) : session.createTopic(flags.get("--topic"));
    }

    Connection connect() throws JMSException
    {
        final MeshConnectionFactory factory;
        try
        {
            factory = new MeshConnectionFactory(flags.get("--url", DEFAULT_URL));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new JMSException(ex.getMessage());
        }
        return factory.createConnection(flags.get("--user"), flags.get("--password"));
    }

    void progress(final String verb, final long done, final long total)
    {
        final long now = System.nanoTime();
        if (now - lastProgressNs >= 1_000_000_000L)
        {
            lastProgressNs = now;
            out.println(verb + " " + done + "/" + total + " ...");
            out.flush();
        }
    }

    void summary(final String verb, final long count, final long bytes, final long elapsedNs)
    {
        final double seconds = Math.max(elapsedNs, 1) / 1e9;
        out.println(String.format(Locale.ROOT, "%s %d messages (%d bytes) %s %s in %.3f s: %.0f msg/s, %.2f MiB/s",
            verb, count, bytes, verb.startsWith("Sent") ? "to" : "from", destinationText(), seconds,
            count / seconds, bytes / seconds / (1024 * 1024)));
        out.flush();
    }
}
