package io.meshmq.broker.cli;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import java.io.PrintStream;
import java.util.Set;

/**
 * {@code meshmq produce --url URL (--queue NAME | --topic NAME) [--count N] [--size BYTES] [--non-persistent]}:
 * sends N BytesMessages of the given size and prints the rate.
 */
public final class ProduceCommand extends ClientCommand
{
    public static final String USAGE = "produce [--url URL] (--queue NAME | --topic NAME) [--count N] [--size BYTES] " +
        "[--non-persistent] [--user U --password P]";

    private ProduceCommand(final Flags flags, final PrintStream out)
    {
        super(flags, out);
    }

    public static int run(final String[] args, final PrintStream out) throws UsageException, JMSException
    {
        final Flags flags = Flags.parse("produce", args, 1,
            Set.of("--url", "--queue", "--topic", "--count", "--size", "--user", "--password"), Set.of("--non-persistent"));
        checkDestination("produce", flags);
        return new ProduceCommand(flags, out).produce();
    }

    private int produce() throws UsageException, JMSException
    {
        final long count = flags.positiveLong("--count", 1000);
        final long size = flags.nonNegativeLong("--size", 1024);
        if (size > Integer.MAX_VALUE - 1024)
        {
            throw new UsageException("produce: --size " + size + " is too large");
        }
        final byte[] body = new byte[(int)size];
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
                message.writeBytes(body);
                message.setLongProperty("sequence", i);
                producer.send(message);
                progress("sent", i, count);
            }
            summary("Sent", count, count * size, System.nanoTime() - start);
        }
        return 0;
    }
}
