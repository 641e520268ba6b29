package io.meshmq.broker.cli;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code meshmq produce --url URL (--queue NAME | --topic NAME) [--count N] [--size BYTES | --file PATH]
 * [--non-persistent]}: sends N BytesMessages of the given size, or each holding a file (streamed to the broker as a
 * large message, never read into memory), and prints the rate.
 */
public final class ProduceCommand extends ClientCommand
{
    public static final String USAGE = "produce [--url URL] (--queue NAME | --topic NAME) [--count N] " +
        "[--size BYTES | --file PATH] [--non-persistent] [--user U --password P]";

    private ProduceCommand(final Flags flags, final PrintStream out)
    {
        super(flags, out);
    }

    public static int run(final String[] args, final PrintStream out) throws UsageException, JMSException
    {
        final Flags flags = Flags.parse("produce", args, 1,
            Set.of("--url", "--queue", "--topic", "--count", "--size", "--file", "--user", "--password"),
            Set.of("--non-persistent"));
        checkDestination("produce", flags);
        return new ProduceCommand(flags, out).produce();
    }

    private int produce() throws UsageException, JMSException
    {
        final long count = flags.positiveLong("--count", 1000);
        final Path file = flags.has("--file") ? Path.of(flags.get("--file")) : null;
        if (file != null && (flags.has("--size") || !Files.isRegularFile(file)))
        {
            throw new UsageException("produce: " + (flags.has("--size") ? "--file and --size cannot go together" :
                "--file " + file + " is not a readable file"));
        }
        final long size = file != null ? fileSize(file) : flags.nonNegativeLong("--size", 1024);
        if (size > Integer.MAX_VALUE - 1024)
        {
            throw new UsageException("produce: --size " + size + " is too large");
        }
        final byte[] body = new byte[file != null ? 0 : (int)size];
        for (int i = 0; i < body.length; i++)
        {
            body[i] = (byte)('a' + i % 26);
        }
        try (Connection connection = connect())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(destination(session));
            producer.setDeliveryMode(flags.has("--non-persistent") ? DeliveryMode.NON_PERSISTENT : DeliveryMode.PERSISTENT);
            final long start = System.nanoTime();
            for (long i = 1; i <= count; i++)
            {
                final BytesMessage message = session.createBytesMessage();
                if (file != null)
                {
                    message.setObjectProperty("JMS_MeshMQ_InputStream", open(file));
                }
                else
                {
                    message.writeBytes(body);
                }
                message.setLongProperty("sequence", i);
                producer.send(message);
                progress("sent", i, count);
            }
            summary("Sent", count, count * size, System.nanoTime() - start);
        }
        return 0;
    }

    private static long fileSize(final Path file) throws UsageException
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new UsageException("produce: cannot read --file " + file + ": " + ex.getMessage());
        }
    }

    /**
     * @return the file as a stream the send reads to its end and closes.
     */
    private static InputStream open(final Path file) throws JMSException
    {
        try
        {
            return new AutoClosingStream(Files.newInputStream(file));
        }
        catch (final IOException ex)
        {
            throw new JMSException("cannot open " + file + ": " + ex.getMessage());
        }
    }

    /**
     * Closes the file once the send has read it to its end.
     */
    private static final class AutoClosingStream extends FilterInputStream
    {
        private boolean ended;

        AutoClosingStream(final InputStream in)
        {
            super(in);
        }

        @Override
        public int read(final byte[] into, final int offset, final int length) throws IOException
        {
            if (ended)
            {
                return -1;
            }
            final int n = super.read(into, offset, length);
            if (n < 0)
            {
                ended = true;
                close();
            }
            return n;
        }
    }
}
