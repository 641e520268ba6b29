package io.meshmq.jmh.brokers;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.nio.file.Path;

/**
 * Apache ActiveMQ Artemis, embedded with its defaults (NIO journal, forcing before it confirms a persistent
 * send), in a process of its own: {@code ArtemisMain DATA_DIR PORT [JOURNAL_BUFFER_TIMEOUT_NS [KEYSTORE PASSWORD]]}
 * (a timeout of 0 keeps Artemis's own; a key store makes its acceptor speak TLS). Prints
 * "listening on tcp://127.0.0.1:PORT" once it accepts connections, as the MeshMQ launcher does.
 */
public final class ArtemisMain
{
    private ArtemisMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        ArtemisLogging.asItsDistributionDoes();
        final Path data = Path.of(args[0]);
        final int port = Integer.parseInt(args[1]);
        final Configuration config = persistent(data)
            .addAcceptorConfiguration("core", "tcp://127.0.0.1:" + port + "?protocols=CORE" + (args.length > 4 ?
                "&sslEnabled=true&keyStorePath=" + args[3] + "&keyStorePassword=" + args[4] +
                    (args.length > 5 ? "&sslProvider=" + args[5] : "") : ""));
        if (args.length > 2 && !"0".equals(args[2]))
        {
            // The buffer timeout tuned for the disk, as Artemis's own "artemis perf-journal" would set it.
            config.setJournalBufferTimeout_NIO(Integer.parseInt(args[2]));
        }
        final EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        System.out.println("listening on tcp://127.0.0.1:" + port);
        System.out.flush();
        runUntilStopped(server);
    }

    /**
     * @return Artemis's defaults with persistence on (NIO journal, forcing before it confirms), security off, every
     * directory under {@code data}.
     */
    public static Configuration persistent(final Path data)
    {
        return new ConfigurationImpl()
            .setSecurityEnabled(false)
            .setPersistenceEnabled(true)
            .setJournalType(JournalType.NIO)
            .setJournalDirectory(data.resolve("journal").toString())
            .setBindingsDirectory(data.resolve("bindings").toString())
            .setLargeMessagesDirectory(data.resolve("large").toString())
            .setPagingDirectory(data.resolve("paging").toString());
    }

    /**
     * Stops the server when the process is told to stop (the benchmark destroys it), and waits for that.
     */
    static void runUntilStopped(final EmbeddedActiveMQ server) throws InterruptedException
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                server.stop();
            }
            catch (final Exception ignore)
            {
                // going down anyway
            }
        }));
        Thread.currentThread().join();
    }
}
