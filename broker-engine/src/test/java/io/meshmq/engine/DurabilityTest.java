package io.meshmq.engine;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.journal.Journal;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import io.meshmq.engine.journal.FailingFileChannel;
import jakarta.jms.JMSException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the journal keeps across a clean restart (the kill -9 cases are in the tck-harness's crash tests).
 */
class DurabilityTest
{
    @Test
    void shouldKeepPersistentMessagesAndForgetNonPersistentOnes() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            try (Connection connection = connect(broker))
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("orders"));
                for (int i = 0; i < 10; i++)
                {
                    producer.setDeliveryMode(i % 2 == 0 ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
                    producer.send(session.createTextMessage("m" + i));
                }
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
                for (int i = 0; i < 10; i += 2)
                {
                    final TextMessage message = (TextMessage)consumer.receive(5000);
                    assertNotNull(message, "persistent m" + i);
                    assertEquals("m" + i, message.getText());
                }
                assertNull(consumer.receiveNoWait());
            }
        }
    }

    @Test
    void shouldNotBringBackAcknowledgedMessages() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final Queue queue = session.createQueue("work");
                final MessageProducer producer = session.createProducer(queue);
                for (int i = 0; i < 20; i++)
                {
                    producer.send(session.createTextMessage("m" + i));
                }
                final MessageConsumer consumer = session.createConsumer(queue);
                Message last = null;
                for (int i = 0; i < 12; i++)
                {
                    last = consumer.receive(5000);
                }
                last.acknowledge();
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("work"));
                for (int i = 12; i < 20; i++)
                {
                    assertEquals("m" + i, ((TextMessage)consumer.receive(5000)).getText());
                }
                assertNull(consumer.receiveNoWait());
            }
        }
    }

    @Test
    void shouldKeepDurableSubscriptionsAndWhatWasPublishedToThem() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            try (Connection connection = connect(broker))
            {
                connection.setClientID("keeper");
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Topic topic = session.createTopic("news");
                session.createDurableSubscriber(topic, "daily", "kind = 'keep'", false).close();
                final MessageProducer producer = session.createProducer(topic);
                for (int i = 0; i < 6; i++)
                {
                    final Message message = session.createTextMessage("n" + i);
                    message.setStringProperty("kind", i % 3 == 0 ? "drop" : "keep");
                    producer.send(message);
                }
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.setClientID("keeper");
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer subscriber = session.createDurableSubscriber(
                    session.createTopic("news"), "daily", "kind = 'keep'", false);
                for (final String expected : new String[] {"n1", "n2", "n4", "n5"})
                {
                    assertEquals(expected, ((TextMessage)subscriber.receive(5000)).getText());
                }
                assertNull(subscriber.receiveNoWait());
                subscriber.close();
                session.unsubscribe("daily");
            }
            broker.restart();
            try (MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
            {
                assertEquals(0, admin.call("subscription.list").rows().size(), "unsubscribe is kept too");
            }
        }
    }

    @Test
    void shouldKeepDeliveryCounts() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final Queue queue = session.createQueue("counted");
                session.createProducer(queue).send(session.createTextMessage("again"));
                final MessageConsumer consumer = session.createConsumer(queue);
                assertNotNull(consumer.receive(5000));
                session.recover();
                final Message second = consumer.receive(5000);
                assertEquals(2, second.getIntProperty("JMSXDeliveryCount"));
                session.recover();
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Message message = session.createConsumer(session.createQueue("counted")).receive(5000);
                assertTrue(message.getJMSRedelivered());
                assertEquals(3, message.getIntProperty("JMSXDeliveryCount"));
            }
        }
    }

    @Test
    void shouldKeepScheduledMessagesUntilTheirTime() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            final long due;
            try (Connection connection = connect(broker))
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("later"));
                producer.setDeliveryDelay(1500);
                due = System.currentTimeMillis() + 1500;
                producer.send(session.createTextMessage("delayed"));
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("later"));
                final TextMessage message = (TextMessage)consumer.receive(10_000);
                assertNotNull(message);
                assertTrue(System.currentTimeMillis() >= due - 50, "not delivered before its delivery time");
                assertEquals("delayed", message.getText());
            }
        }
    }

    @Test
    void shouldKeepCommittedTransactionsWholeAndForgetRolledBackOnes() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session plain = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                plain.createProducer(plain.createQueue("in")).send(plain.createTextMessage("request"));
                final Session tx = connection.createSession(true, Session.SESSION_TRANSACTED);
                final MessageConsumer in = tx.createConsumer(tx.createQueue("in"));
                final MessageProducer out = tx.createProducer(tx.createQueue("out"));
                assertNotNull(in.receive(5000));
                out.send(tx.createTextMessage("reply"));
                out.send(tx.createTextMessage("audit"));
                tx.commit();
                out.send(tx.createTextMessage("never"));
                tx.rollback();
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertNull(session.createConsumer(session.createQueue("in")).receive(200), "consumed in the commit");
                final MessageConsumer out = session.createConsumer(session.createQueue("out"));
                assertEquals("reply", ((TextMessage)out.receive(5000)).getText());
                assertEquals("audit", ((TextMessage)out.receive(5000)).getText());
                assertNull(out.receiveNoWait());
            }
        }
    }

    @Test
    void shouldKeepQueuesMadeAndDeletedByAdministration() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            try (MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
            {
                admin.createQueue("kept");
                admin.createQueue("gone");
                admin.createTopic("prices");
            }
            try (Connection connection = connect(broker))
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createProducer(session.createQueue("gone")).send(session.createTextMessage("lost with its queue"));
            }
            try (MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
            {
                admin.deleteQueue("gone");
            }
            broker.restart();
            try (MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
            {
                assertNotNull(admin.queue("kept"));
                assertNull(admin.queue("gone"));
                assertTrue(admin.call("topic.list").rows().stream().anyMatch(row -> row.get(0).equals("prices")));
            }
        }
    }

    @Test
    void shouldKeepTheJournalSmallUnderSteadyTraffic() throws Exception
    {
        try (TestBroker broker = TestBroker.start(context -> context.journalSegmentSize(Journal.MIN_SEGMENT_SIZE)))
        {
            final Path journal = broker.dataDir().resolve(Journal.DIRECTORY);
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = session.createQueue("steady");
                final MessageProducer producer = session.createProducer(queue);
                final MessageConsumer consumer = session.createConsumer(queue);
                final byte[] body = new byte[1024];
                for (int i = 0; i < 3000; i++)
                {
                    final BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    producer.send(message);
                    assertNotNull(consumer.receive(5000));
                }
                // 3000 KiB went through 64 KiB segments; what is left is the live data and the newest segments.
                Poll.until("dead segments deleted", 10_000, () -> sizeOf(journal) < 8 * Journal.MIN_SEGMENT_SIZE);
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertNull(session.createConsumer(session.createQueue("steady")).receive(200));
            }
        }
    }

    @Test
    void shouldMoveLiveMessagesOutOfMostlyDeadSegments() throws Exception
    {
        try (TestBroker broker = TestBroker.start(context -> context.journalSegmentSize(Journal.MIN_SEGMENT_SIZE)))
        {
            final Path journal = broker.dataDir().resolve(Journal.DIRECTORY);
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(null);
                // One message stays in "old" while a lot of traffic passes through "busy".
                producer.send(session.createQueue("old"), session.createTextMessage("survivor"));
                final Queue busy = session.createQueue("busy");
                final MessageConsumer consumer = session.createConsumer(busy);
                final byte[] body = new byte[1024];
                for (int i = 0; i < 3000; i++)
                {
                    final BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    producer.send(busy, message);
                    assertNotNull(consumer.receive(5000));
                }
                Poll.until("the survivor's segment compacted away", 10_000,
                    () -> sizeOf(journal) < 8 * Journal.MIN_SEGMENT_SIZE);
                assertFalse(Files.exists(journal.resolve("segment-0000000000000001.mjl")));
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertEquals("survivor", ((TextMessage)session.createConsumer(session.createQueue("old")).receive(5000)).getText());
            }
        }
    }

    @Test
    void shouldKeepAcknowledgementsWhileTheMessageLivesOnInAnotherSubscription() throws Exception
    {
        // Each message goes to two durable subscriptions; "fast" acknowledges it at once, "slow" never does. The
        // acks live in later segments than the messages; were those segments deleted while the messages' were
        // kept, "fast" would get everything again after a restart.
        try (TestBroker broker = TestBroker.start(context -> context.journalSegmentSize(Journal.MIN_SEGMENT_SIZE)))
        {
            try (Connection connection = connect(broker))
            {
                connection.setClientID("pair");
                connection.start();
                final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final Topic topic = session.createTopic("both");
                session.createDurableSubscriber(topic, "slow").close();
                final MessageConsumer fast = session.createDurableSubscriber(topic, "fast");
                final MessageProducer producer = session.createProducer(topic);
                for (int i = 0; i < 600; i++)
                {
                    producer.send(session.createTextMessage("m" + i + " " + "x".repeat(500)));
                }
                for (int i = 0; i < 600; i++)
                {
                    fast.receive(5000).acknowledge();
                }
                // Unrelated traffic, so that segments fill, die and go.
                final Queue busy = session.createQueue("busy");
                final MessageProducer busyProducer = session.createProducer(busy);
                final MessageConsumer busyConsumer = session.createConsumer(busy);
                for (int i = 0; i < 600; i++)
                {
                    busyProducer.send(session.createTextMessage("x".repeat(1000)));
                    busyConsumer.receive(5000).acknowledge();
                }
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.setClientID("pair");
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Topic topic = session.createTopic("both");
                assertNull(session.createDurableSubscriber(topic, "fast").receive(200), "acknowledged messages came back");
                final MessageConsumer slow = session.createDurableSubscriber(topic, "slow");
                for (int i = 0; i < 600; i++)
                {
                    assertTrue(((TextMessage)slow.receive(5000)).getText().startsWith("m" + i + " "));
                }
            }
        }
    }

    @Test
    void shouldRefusePersistentSendsWhileTheDiskIsFullAndCarryOnAfterwards() throws Exception
    {
        final AtomicBoolean full = new AtomicBoolean();
        try (TestBroker broker = TestBroker.start(context -> context.journalFileOpener(FailingFileChannel.opener(full::get))))
        {
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = session.createQueue("disk");
                final MessageProducer producer = session.createProducer(queue);
                producer.send(session.createTextMessage("before"));
                full.set(true);
                final JMSException refused = assertThrows(JMSException.class,
                    () -> producer.send(session.createTextMessage("while full")));
                assertTrue(refused.getMessage().contains("No space left on device"), refused.getMessage());
                producer.send(session.createTextMessage("non-persistent still flows"), DeliveryMode.NON_PERSISTENT, 4, 0);
                final MessageConsumer consumer = session.createConsumer(queue);
                assertEquals("before", ((TextMessage)consumer.receive(5000)).getText());
                assertEquals("non-persistent still flows", ((TextMessage)consumer.receive(5000)).getText());
                consumer.close();
                full.set(false);
                final long deadline = System.currentTimeMillis() + 10_000;
                while (true)
                {
                    try
                    {
                        producer.send(session.createTextMessage("after"));
                        break;
                    }
                    catch (final JMSException stillRefused)
                    {
                        assertTrue(System.currentTimeMillis() < deadline, "the journal never took writes again");
                        Thread.sleep(20);
                    }
                }
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("disk"));
                // "before" was acknowledged while the disk was full: that ack may be lost, so it may come again.
                final List<String> texts = new ArrayList<>();
                for (Message message = consumer.receive(5000); message != null; message = consumer.receive(200))
                {
                    texts.add(((TextMessage)message).getText());
                }
                assertTrue(texts.contains("after"), texts.toString());
                assertTrue(texts.stream().allMatch(text -> text.equals("after") || text.equals("before")), texts.toString());
            }
        }
    }

    @Test
    void shouldAppendAgainWhatAFailedForceMayHaveLost() throws Exception
    {
        final AtomicBoolean failForce = new AtomicBoolean();
        try (TestBroker broker = TestBroker.start(context ->
            context.journalFileOpener(FailingFileChannel.opener(() -> false, failForce::get))))
        {
            final Path firstSegment = broker.dataDir().resolve(Journal.DIRECTORY).resolve("segment-0000000000000001.mjl");
            try (Connection connection = connect(broker))
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("doubt"));
                producer.send(session.createTextMessage("a"));
                failForce.set(true);
                final JMSException failed = assertThrows(JMSException.class, () -> producer.send(session.createTextMessage("b")));
                assertTrue(failed.getMessage().contains("may or may not have been stored"), failed.getMessage());
                failForce.set(false);
                producer.send(session.createTextMessage("c"));
                Poll.until("the distrusted segment rewritten and deleted", 10_000, () -> !Files.exists(firstSegment));
            }
            broker.restart();
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("doubt"));
                // "b" was written, only its force failed: it is kept, and the producer was told it might be.
                for (final String expected : new String[] {"a", "b", "c"})
                {
                    assertEquals(expected, ((TextMessage)consumer.receive(5000)).getText());
                }
                assertNull(consumer.receiveNoWait());
            }
        }
    }

    @Test
    void shouldForceAcknowledgementsWithTheNextSendOrSoonAfterInsteadOfOnTheirOwn() throws Exception
    {
        final AtomicLong forces = new AtomicLong();
        final int messages = 200;
        try (TestBroker broker = TestBroker.start(context -> context.journalFileOpener(
            FailingFileChannel.opener(() -> false, () -> forces.incrementAndGet() < 0))))
        {
            try (Connection producing = connect(broker); Connection consuming = connect(broker))
            {
                final Session sending = producing.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = sending.createQueue("acked");
                final MessageProducer producer = sending.createProducer(queue);
                final AtomicLong received = new AtomicLong();
                // A listener acknowledges as soon as a message arrives, which is while its send's force still runs.
                consuming.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue)
                    .setMessageListener(m -> received.incrementAndGet());
                consuming.start();
                producer.send(sending.createTextMessage("warm-up"));
                Poll.until("the warm-up message received", 10_000, () -> received.get() == 1);
                final Queue lateQueue = sending.createQueue("acked-late");
                sending.createProducer(lateQueue).send(sending.createTextMessage("late"));
                final long before = forces.get();
                for (int i = 0; i < messages; i++)
                {
                    producer.send(sending.createTextMessage("m" + i));
                }
                final long afterLastSend = forces.get();
                // Each send waits for a force; the acknowledgements ride with the next one. Forcing acknowledgements
                // on their own, as before, made about two forces per message, and each send waited for both.
                final long perSend = afterLastSend - before;
                assertTrue(perSend < messages * 3 / 2, perSend + " forces for " + messages + " sends and acknowledgements");
                try (MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
                {
                    Poll.until("every message acknowledged", 10_000, () -> acknowledged(admin, "acked") == messages + 1);
                }
                // Nothing more is sent, and still an acknowledgement is forced, on its own. (The loop's last ones
                // may have ridden with the last send's force: one made after every send was confirmed cannot.)
                final long beforeLateAck = forces.get();
                try (Session late = consuming.createSession(false, Session.AUTO_ACKNOWLEDGE))
                {
                    assertNotNull(late.createConsumer(lateQueue).receive(10_000));
                }
                Poll.until("the last acknowledgement forced", 10_000, () -> forces.get() > beforeLateAck);
            }
        }
    }

    private static long acknowledged(final MeshAdmin admin, final String queue)
    {
        try
        {
            return admin.queue(queue).acknowledged();
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static Connection connect(final TestBroker broker) throws Exception
    {
        return new MeshConnectionFactory(broker.tcpUrl()).createConnection();
    }

    private static long sizeOf(final Path directory)
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.mapToLong(file -> file.toFile().length()).sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
