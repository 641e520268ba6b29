package io.meshmq.broker.cli;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * {@code meshmq consume --url URL (--queue NAME | --topic NAME) [--count N] [--timeout MS] [--save DIR]}: receives up
 * to N messages, stopping early when none arrives for the timeout, and prints the rate; with {@code --save}, writes
 * each bytes body to {@code DIR/message-K.body} (streamed from the broker: large bodies never held in memory). Exits 1
 * if fewer than N arrived.
 */
public final class ConsumeCommand extends ClientCommand
{
    public static final String USAGE = "consume [--url URL] (--queue NAME | --topic NAME) [--count N] [--timeout MS] " +
        "[--save DIR] [--user U --password P]";

    private ConsumeCommand(final Flags flags, final PrintStream out)
    {
        super(flags, out);
    }

    public static int run(final String[] args, final PrintStream out) throws UsageException, JMSException
    {
        final Flags flags = Flags.parse("consume", args, 1,
            Set.of("--url", "--queue", "--topic", "--count", "--timeout", "--save", "--user", "--password"), Set.of());
        checkDestination("consume", flags);
        return new ConsumeCommand(flags, out).consume();
    }

    private int consume() throws UsageException, JMSException
    {
        final long count = flags.positiveLong("--count", 1000);
        final long timeoutMs = flags.positiveLong("--timeout", 10_000);
        final Path save = flags.has("--save") ? Path.of(flags.get("--save")) : null;
        if (save != null && !Files.isDirectory(save))
        {
            throw new UsageException("consume: --save " + save + " is not a directory");
        }
        long received = 0;
        long bytes = 0;
        try (Connection connection = connect())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(destination(session));
            connection.start();
            if (flags.has("--topic"))
            {
                out.println("subscribed to " + destinationText());
                out.flush();
            }
            long start = 0;
            while (received < count)
            {
                final Message message = consumer.receive(timeoutMs);
                if (message == null)
                {
                    out.println("no message for " + timeoutMs + " ms; stopping");
                    break;
                }
                if (received == 0)
                {
                    start = System.nanoTime();
                }
                received++;
                if (save != null && message instanceof BytesMessage)
                {
                    save(message, save.resolve("message-" + received + ".body"));
                }
                bytes += bodyLength(message);
                progress("received", received, count);
            }
            summary("Received", received, bytes, received == 0 ? 1 : System.nanoTime() - start);
        }
        return received == count ? 0 : 1;
    }

    private static void save(final Message message, final Path to) throws JMSException
    {
        try (OutputStream out = Files.newOutputStream(to))
        {
            message.setObjectProperty("JMS_MeshMQ_SaveStream", out);
        }
        catch (final IOException ex)
        {
            throw new JMSException("cannot write " + to + ": " + ex.getMessage());
        }
    }

    private static long bodyLength(final Message message) throws JMSException
    {
        if (message instanceof BytesMessage)
        {
            return ((BytesMessage)message).getBodyLength();
        }
        if (message instanceof TextMessage)
        {
            final String text = ((TextMessage)message).getText();
            return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
        }
        return 0;
    }
}
