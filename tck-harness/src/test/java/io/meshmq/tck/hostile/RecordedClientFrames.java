package io.meshmq.tck.hostile;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.FrameDescriptor;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MapMessage;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The frames a real client sends for a day's ordinary work (sessions of every acknowledgement mode, producers and
 * consumers of queues and topics, selectors, a durable and a shared subscription, a browser, a temporary queue,
 * commits, rollbacks, recovers), recorded through a proxy: the material random frames are made from, so they reach
 * every command and not only the handshake.
 */
final class RecordedClientFrames
{
    /** The names the recorded work uses; attackers replaying it touch these and nothing else (unless mutated). */
    static final String QUEUE = "soak.attack.q";
    static final String TOPIC = "soak.attack.t";

    private RecordedClientFrames()
    {
    }

    /**
     * @return each frame the client sent, whole (length field, type, body), in order; the first is its HELLO.
     */
    static List<byte[]> record(final URI broker) throws Exception
    {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        try (ServerSocket proxy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread pumps = new Thread(() -> proxyOne(proxy, broker, sent), "recording-proxy");
            pumps.start();
            work("tcp://127.0.0.1:" + proxy.getLocalPort());
            pumps.join(TimeUnit.SECONDS.toMillis(30));
            if (pumps.isAlive())
            {
                throw new IllegalStateException("the recording proxy did not see the client close within 30 s");
            }
        }
        final List<byte[]> frames = split(sent.toByteArray());
        if (frames.size() < 20)
        {
            throw new IllegalStateException("recorded only " + frames.size() + " frames");
        }
        return frames;
    }

    private static void work(final String url) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.setClientID("soak-recorder");
            connection.start();
            final Session auto = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = auto.createQueue(QUEUE);
            final Topic topic = auto.createTopic(TOPIC);
            final MessageProducer producer = auto.createProducer(null);
            final TextMessage text = auto.createTextMessage("x".repeat(100));
            text.setIntProperty("n", 1);
            text.setStringProperty("kind", "a");
            producer.send(queue, text);
            final BytesMessage bytes = auto.createBytesMessage();
            bytes.writeBytes(new byte[1024]);
            producer.send(queue, bytes, DeliveryMode.NON_PERSISTENT, 7, 60_000);
            final MapMessage map = auto.createMapMessage();
            map.setLong("price", 42);
            producer.send(topic, map);

            final MessageConsumer selective = auto.createConsumer(queue, "n = 1 OR kind LIKE 'a%'");
            selective.receive(2_000);
            selective.close();
            final MessageConsumer any = auto.createConsumer(queue);
            any.receive(2_000);
            any.receiveNoWait();
            any.close();

            final MessageConsumer durable = auto.createDurableConsumer(topic, "soak-sub");
            final MessageConsumer shared = auto.createSharedConsumer(topic, "soak-shared");
            producer.send(topic, text);
            durable.receive(2_000);
            shared.receive(2_000);
            durable.close();
            shared.close();
            auto.unsubscribe("soak-sub");

            producer.send(queue, text);
            final QueueBrowser browser = auto.createBrowser(queue);
            Collections.list(browser.getEnumeration());
            browser.close();

            final TemporaryQueue temporary = auto.createTemporaryQueue();
            producer.send(temporary, text);
            final MessageConsumer replies = auto.createConsumer(temporary);
            replies.receive(2_000);
            replies.close();
            temporary.delete();

            final Session transacted = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer inTransaction = transacted.createProducer(queue);
            inTransaction.send(transacted.createTextMessage("one"));
            inTransaction.send(transacted.createTextMessage("two"));
            transacted.commit();
            final MessageConsumer transactedConsumer = transacted.createConsumer(queue);
            transactedConsumer.receive(2_000);
            transacted.rollback();
            transactedConsumer.receive(2_000);
            transacted.commit();
            transacted.close();

            final Session clientAcknowledged = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageConsumer acknowledging = clientAcknowledged.createConsumer(queue);
            acknowledging.receive(2_000);
            clientAcknowledged.recover();
            final jakarta.jms.Message again = acknowledging.receive(2_000);
            if (again != null)
            {
                again.acknowledge();
            }
            clientAcknowledged.close();
            connection.stop();
            auto.close();
        }
    }

    /**
     * Takes one connection, passes bytes both ways and keeps a copy of what the client sent, until the client closes.
     */
    private static void proxyOne(final ServerSocket proxy, final URI broker, final ByteArrayOutputStream sent)
    {
        try (Socket client = proxy.accept(); Socket server = new Socket(broker.getHost(), broker.getPort()))
        {
            final Thread back = new Thread(() -> pump(server, client, null), "recording-proxy-back");
            back.setDaemon(true);
            back.start();
            pump(client, server, sent);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("the recording proxy failed", ex);
        }
    }

    private static void pump(final Socket from, final Socket to, final ByteArrayOutputStream copy)
    {
        final byte[] buffer = new byte[16 * 1024];
        try
        {
            final InputStream in = from.getInputStream();
            final OutputStream out = to.getOutputStream();
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer))
            {
                if (copy != null)
                {
                    copy.write(buffer, 0, read);
                }
                out.write(buffer, 0, read);
            }
            to.shutdownOutput();
        }
        catch (final IOException closed)
        {
            // One side went away: the other side's pump ends on its own.
        }
    }

    static List<byte[]> split(final byte[] stream)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(stream).order(FrameDescriptor.BYTE_ORDER);
        final List<byte[]> frames = new ArrayList<>();
        while (buffer.remaining() >= FrameDescriptor.LENGTH_FIELD_LENGTH)
        {
            final int length = buffer.getInt(buffer.position());
            final int whole = FrameDescriptor.LENGTH_FIELD_LENGTH + length;
            if (length <= 0 || whole > buffer.remaining())
            {
                throw new IllegalStateException("the recorded client sent a frame of length " + length + " with " +
                    (buffer.remaining() - FrameDescriptor.LENGTH_FIELD_LENGTH) + " bytes left");
            }
            frames.add(Arrays.copyOfRange(stream, buffer.position(), buffer.position() + whole));
            buffer.position(buffer.position() + whole);
        }
        return frames;
    }
}
