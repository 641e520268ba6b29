package io.meshmq.broker.cli;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * {@code meshmq browse QUEUE}: prints the messages waiting in a queue, oldest first, without taking them: id, time
 * sent, priority, persistence, properties and the start of the body as text.
 */
public final class BrowseCommand
{
    public static final String USAGE = "browse QUEUE [--count N] [--selector S]  [--url URL] [--user U --password P]" +
        "   (the waiting messages, oldest first, not taken; at most --count, default 100)";
    private static final int BODY_SHOWN = 200;

    private BrowseCommand()
    {
    }

    public static int run(final String[] args, final PrintStream out) throws UsageException, JMSException
    {
        if (args.length < 2 || args[1].startsWith("--"))
        {
            throw new UsageException("browse: give the queue's name, e.g. meshmq " + USAGE);
        }
        final Flags flags = Flags.parse("browse", args, 2,
            Set.of("--url", "--user", "--password", "--count", "--selector"), Set.of());
        final long count = flags.positiveLong("--count", 100);
        final MeshConnectionFactory factory;
        try
        {
            factory = new MeshConnectionFactory(flags.get("--url", ClientCommand.DEFAULT_URL));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException("browse: --url: " + ex.getMessage());
        }
        try (Connection connection = factory.createConnection(flags.get("--user"), flags.get("--password")))
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final QueueBrowser browser = session.createBrowser(session.createQueue(args[1]), flags.get("--selector"));
            long shown = 0;
            for (final Enumeration<?> messages = browser.getEnumeration(); messages.hasMoreElements() && shown < count;)
            {
                out.println(describe((Message)messages.nextElement()));
                shown++;
            }
            out.println(shown + " message(s) shown from queue " + args[1]);
            out.flush();
        }
        return 0;
    }

    static String describe(final Message message) throws JMSException
    {
        final List<String> properties = new ArrayList<>();
        for (final Enumeration<?> names = message.getPropertyNames(); names.hasMoreElements();)
        {
            final String name = (String)names.nextElement();
            properties.add(name + "=" + message.getObjectProperty(name));
        }
        return message.getJMSMessageID() + "  " + Instant.ofEpochMilli(message.getJMSTimestamp()) + "  priority " +
            message.getJMSPriority() + "  " + (message.getJMSDeliveryMode() == DeliveryMode.PERSISTENT ?
            "persistent" : "non-persistent") + "  " + properties + "  " + body(message);
    }

    private static String body(final Message message) throws JMSException
    {
        if (message instanceof TextMessage text)
        {
            final String body = text.getText();
            return body == null ? "text: null" : "text: " + (body.length() <= BODY_SHOWN ? body :
                body.substring(0, BODY_SHOWN) + "... (" + body.length() + " chars)");
        }
        if (message instanceof BytesMessage bytes)
        {
            return "bytes: " + bytes.getBodyLength() + " bytes";
        }
        if (message instanceof MapMessage)
        {
            return "map: " + message.getBody(java.util.Map.class);
        }
        if (message instanceof StreamMessage)
        {
            return "stream";
        }
        if (message instanceof ObjectMessage)
        {
            return "object (serialized Java)";
        }
        return "no body";
    }
}
