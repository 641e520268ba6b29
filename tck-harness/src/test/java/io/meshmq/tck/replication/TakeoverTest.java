package io.meshmq.tck.replication;

import io.meshmq.cluster.HaNode;
import io.meshmq.cluster.link.ReplicaLink;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.large.Bodies;
import io.meshmq.tck.replication.HaSupport.Producer;
import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.meshmq.tck.PrometheusScrape.scrape;
import static io.meshmq.tck.PrometheusScrape.value;
import static io.meshmq.tck.replication.HaSupport.assertEveryConfirmedMessageOnce;
import static io.meshmq.tck.replication.HaSupport.awaitCondition;
import static io.meshmq.tck.replication.HaSupport.sendTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Automatic takeover agreed by a quorum (issue 19), with real processes: a live, its backup and a witness, each a
 * vote. kill -9 of the live: the backup takes its journal over and serves it, clients with both addresses carry on,
 * nothing confirmed is lost or doubled; the old live, restarted, becomes the new live's replica, and takes the
 * journal back when the new live is killed in turn (or, with ha.failback, as soon as it is in sync). A hung live
 * (SIGSTOP) is taken over as well, and stands down when it wakes. A replica
 * killed during the copy that follows a takeover copies anew when it returns, and takes over with everything. A backup
 * whose copy the quorum does not hold in sync never takes over, and a live that cannot reach a majority stops serving.
 */
class TakeoverTest
{
    /** 1,600 messages of 64 KiB: a 100 MiB journal, whose copy takes seconds on a 2-core machine. */
    private static final int LARGE_MESSAGES = 1_600;
    private static final int LARGE_BYTES = 64 * 1024;
    @TempDir
    Path dir;
    private final List<BrokerProcess> processes = new ArrayList<>();
    private int livePort;
    private int backupPort;
    private String[] quorum;
    /** Lines the backup is started with besides its HA settings. */
    private final List<String> backupSettings = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException
    {
        for (final BrokerProcess process : processes)
        {
            process.close();
        }
    }

    @Test
    void shouldTakeOverOnKillAndBackAgainWithEveryConfirmedMessageOnce() throws Exception
    {
        final BrokerProcess[] pair = startPair();
        final BrokerProcess witness = pair[0];
        BrokerProcess live = pair[1];
        final BrokerProcess backup = pair[2];

        final Producer producer = new Producer(failoverUrls());
        try (producer)
        {
            awaitCondition(() -> producer.confirmedCount() >= 200, "200 sends confirmed before the kill", live);
            live.kill();
            final long killedNs = System.nanoTime();
            awaitCondition(() -> producer.confirmedByAnotherSince(killedNs), "sends confirmed after the kill", backup,
                witness);
            System.out.println("takeover 1: the live's death (kill -9) to the first send confirmed by its replica: " +
                producer.msToAnotherSince(killedNs) + " ms");
            assertFalse(backup.linesContaining("took journal").isEmpty(), backup.recentOutput());
            final int afterFirst = producer.confirmedCount();
            awaitCondition(() -> producer.confirmedCount() >= afterFirst + 200, "200 more sends on the new live", backup);

            // The old live comes back as the new live's replica (never the other way round) ...
            live = startLive();
            final BrokerProcess rejoined = live;
            awaitCondition(() -> !rejoined.linesContaining("MeshMQ backup 'live' of 127.0.0.1:" + backupPort).isEmpty(),
                "the old live rejoining as a replica", live);
            HaSupport.awaitStatus(backup, "replica live (in sync)", "127.0.0.1:" + backupPort);
            HaSupport.awaitReady(live);

            // ... and takes the journal back when the new live dies.
            final int beforeSecond = producer.confirmedCount();
            awaitCondition(() -> producer.confirmedCount() >= beforeSecond + 100, "100 sends with the replica in sync",
                backup);
            backup.kill();
            final long secondKillNs = System.nanoTime();
            awaitCondition(() -> producer.confirmedByAnotherSince(secondKillNs), "sends confirmed after the second kill",
                live);
            System.out.println("takeover 2: the live's death (kill -9) to the first send confirmed by its replica: " +
                producer.msToAnotherSince(secondKillNs) + " ms");
            assertFalse(live.linesContaining("at epoch 3").isEmpty(), live.recentOutput());
        }
        assertEveryConfirmedMessageOnce("tcp://127.0.0.1:" + livePort, producer.confirmed(), producer.unconfirmed());
    }

    /**
     * A live that hangs (SIGSTOP: its sockets stay open, the kernel still accepts connections for it, nothing answers)
     * is taken over once its replica's link has been silent and a whole lease more has passed (its address takes
     * connections, so the replica gives it the time to stop by itself); when it wakes, its lease has run out: it
     * stops serving, confirms nothing more, and becomes the new live's replica.
     */
    @Test
    void shouldTakeOverAHungLiveAndHaveItStandDownWhenItWakes() throws Exception
    {
        final BrokerProcess[] pair = startPair();
        final BrokerProcess witness = pair[0];
        final BrokerProcess live = pair[1];
        final BrokerProcess backup = pair[2];

        final Producer producer = new Producer(failoverUrls());
        try (producer)
        {
            awaitCondition(() -> producer.confirmedCount() >= 200, "200 sends confirmed before the live hangs", live);
            live.pause();
            final long pausedNs = System.nanoTime();
            try
            {
                awaitCondition(() -> producer.confirmedByAnotherSince(pausedNs), "sends confirmed after the live hung",
                    backup, witness);
            }
            finally
            {
                live.resume();
            }
            System.out.println("hung live: SIGSTOP to the first send confirmed by its replica: " +
                producer.msToAnotherSince(pausedNs) + " ms");
            assertFalse(backup.linesContaining("its address takes connections").isEmpty(), backup.recentOutput());
            awaitCondition(() -> !live.linesContaining("'live' stops serving").isEmpty(),
                "the woken live standing down", live, backup);
            awaitCondition(() -> !live.linesContaining("MeshMQ backup 'live' of 127.0.0.1:" + backupPort).isEmpty(),
                "the woken live becoming the new live's replica", live, backup);
            HaSupport.awaitStatus(backup, "replica live (in sync)", "127.0.0.1:" + backupPort);
            final int afterWake = producer.confirmedCount();
            awaitCondition(() -> producer.confirmedCount() >= afterWake + 200, "200 more sends on the new live",
                backup);
        }
        assertEveryConfirmedMessageOnce("tcp://127.0.0.1:" + backupPort, producer.confirmed(), producer.unconfirmed());
    }

    /**
     * A hung live gets a lease of grace (its address takes connections: it may only have closed the link, and should
     * record the backup's loss first). If it dies during that grace, the backup does not wait the grace out: each
     * time its link drops again it tries the address, and a refused connection is a claim at once.
     */
    @Test
    void shouldClaimAtOnceWhenAHungLiveDiesDuringItsGrace() throws Exception
    {
        final BrokerProcess[] pair = startPair();
        final BrokerProcess witness = pair[0];
        final BrokerProcess live = pair[1];
        final BrokerProcess backup = pair[2];

        final Producer producer = new Producer(failoverUrls());
        try (producer)
        {
            awaitCondition(() -> producer.confirmedCount() >= 200, "200 sends confirmed before the live hangs", live);
            live.pause();
            awaitCondition(() -> !backup.linesContaining("its address takes connections").isEmpty(),
                "the backup giving the hung live a lease of grace", backup, witness);
            live.kill();
            final long killedNs = System.nanoTime();
            awaitCondition(() -> !backup.linesContaining("now refuses connections: claiming at once").isEmpty(),
                "the backup claiming at once once the live died", backup, witness);
            awaitCondition(() -> producer.confirmedByAnotherSince(killedNs), "sends confirmed after the live died",
                backup, witness);
            System.out.println("hung live killed during its grace: kill to the first send confirmed by its replica: " +
                producer.msToAnotherSince(killedNs) + " ms");
        }
        assertEveryConfirmedMessageOnce("tcp://127.0.0.1:" + backupPort, producer.confirmed(), producer.unconfirmed());
    }

    /**
     * Large bodies are files of their own beside the journal (issue 23): those stored before the backup came reach it
     * with the copy, those stored after reach it before the send naming each is confirmed, and those consumed are
     * deleted on it too. An upload a kill cuts short never reaches it.
     */
    @Test
    void shouldServeLargeBodiesFromTheReplicaAfterATakeover() throws Exception
    {
        ports();
        start("witness", 0, "ha.role = witness", "ha.quorum-bind = " + quorum[2]);
        final BrokerProcess live = startLive();
        final Path liveBodies = dir.resolve("live").resolve(HaNode.JOURNAL);
        final Path replicaBodies = dir.resolve("backup").resolve(ReplicaLink.REPLICA);
        final long[] lengths = {4_000_000, 3_000_000, 1_000_000, 24_000_000, 300_000};
        try (Connection connection = new MeshConnectionFactory(failoverUrls()).createConnection())
        {
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("bodies"));
            sendBodies(session, producer, lengths, 0, 2);
            final BrokerProcess backup = startBackup(livePort);
            awaitStatus(live, "replica backup (in sync)");
            HaSupport.awaitReady(backup);
            sendBodies(session, producer, lengths, 2, lengths.length);
            assertEquals(lengths.length, Bodies.files(replicaBodies), "every body stored is on the replica");

            connection.start();
            final MessageConsumer before = session.createConsumer(session.createQueue("bodies"));
            final Message first = before.receive(HaSupport.DEADLINE_MS);
            assertEquals(0, first.getIntProperty("seq"));
            first.acknowledge();
            before.close();
            Bodies.await(replicaBodies, count -> count == lengths.length - 1, "the consumed body deleted on the replica");

            final AtomicReference<Throwable> cutShort = new AtomicReference<>();
            final Thread endless = new Thread(() -> sendEndless("tcp://127.0.0.1:" + livePort, cutShort), "endless");
            endless.start();
            Bodies.await(liveBodies, count -> count == lengths.length, "the endless upload's file on the live");
            live.kill();
            endless.join(HaSupport.DEADLINE_MS);
            assertInstanceOf(JMSException.class, cutShort.get(), "the send a kill cut short fails: " + cutShort.get());
            awaitCondition(() -> !backup.linesContaining("took journal").isEmpty(), "the backup taking over", backup);

            final MessageConsumer consumer = session.createConsumer(session.createQueue("bodies"));
            for (int i = 1; i < lengths.length; i++)
            {
                final Message message = consumer.receive(HaSupport.DEADLINE_MS);
                assertNotNull(message, "large message " + i + " lost in the takeover");
                assertEquals(i, message.getIntProperty("seq"));
                final Bodies.Sink sink = new Bodies.Sink();
                message.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
                assertEquals(lengths[i], sink.length(), "large message " + i + "'s body");
                assertEquals(Bodies.checksum(lengths[i]), sink.checksum(), "large message " + i + "'s body changed");
                message.acknowledge();
            }
            assertNull(consumer.receive(500), "a large message twice, or the cut-short one");
            Bodies.awaitNone(dir.resolve("backup").resolve(HaNode.JOURNAL));
        }
    }

    /**
     * A send the lost live stored but had not confirmed (its replica stopped) must not be sent again to a broker of
     * another journal once the client stops waiting for the lost one (journalWait): the lost journal holds it, and has
     * even delivered it, so a second copy elsewhere would be a duplicate. The send fails in doubt instead.
     */
    @Test
    void shouldFailASendInDoubtRatherThanSendItToAnotherJournal() throws Exception
    {
        final BrokerProcess[] pair = startPair();
        final BrokerProcess live = pair[1];
        final BrokerProcess backup = pair[2];
        final BrokerProcess other = BrokerProcess.start(dir.resolve("other"));
        processes.add(other);
        final String urls = "tcp://127.0.0.1:" + livePort + "," + other.url() +
            "?journalWait=1000&retryInterval=50&retryIntervalMultiplier=1";
        try (Connection connection = new MeshConnectionFactory(urls).createConnection();
            Connection watching = new MeshConnectionFactory(live.url()).createConnection())
        {
            final Session session = connection.createSession();
            final MessageProducer producer = session.createProducer(session.createQueue("orders"));
            producer.send(session.createTextMessage("confirmed"));
            watching.start();
            final Session watchingSession = watching.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageConsumer onLive = watchingSession.createConsumer(watchingSession.createQueue("orders"));
            assertNotNull(onLive.receive(HaSupport.DEADLINE_MS));

            backup.pause(); // the live stores what it is sent, and confirms nothing
            final AtomicReference<Throwable> held = new AtomicReference<>();
            final Thread sender = new Thread(() ->
            {
                try
                {
                    producer.send(session.createTextMessage("stored, not confirmed"));
                }
                catch (final Throwable ex)
                {
                    held.set(ex);
                }
            }, "held-sender");
            sender.start();
            final Session asyncSession = connection.createSession();
            final CompletableFuture<Throwable> asyncOutcome = new CompletableFuture<>();
            asyncSession.createProducer(asyncSession.createQueue("orders")).send(
                asyncSession.createTextMessage("sent asynchronously, stored, not confirmed"), new CompletionListener()
                {
                    @Override
                    public void onCompletion(final Message message)
                    {
                        asyncOutcome.complete(null);
                    }

                    @Override
                    public void onException(final Message message, final Exception exception)
                    {
                        asyncOutcome.complete(exception);
                    }
                });
            for (int i = 0; i < 2; i++)
            {
                assertNotNull(onLive.receive(HaSupport.DEADLINE_MS), "the live delivers what it stored, unconfirmed");
            }
            live.kill();
            sender.join(HaSupport.DEADLINE_MS);
            assertFalse(sender.isAlive(), "the send ended");
            assertInstanceOf(JMSException.class, held.get(), "the send failed: " + held.get());
            assertEquals("SEND_IN_DOUBT", ((JMSException)held.get()).getErrorCode(), held.get().getMessage());
            final Throwable async = asyncOutcome.get(HaSupport.DEADLINE_MS, TimeUnit.MILLISECONDS);
            assertInstanceOf(JMSException.class, async, "the asynchronous send failed: " + async);
            assertEquals("SEND_IN_DOUBT", ((JMSException)async).getErrorCode(), async.getMessage());

            producer.send(session.createTextMessage("after"));
            try (Connection reading = new MeshConnectionFactory(other.url()).createConnection())
            {
                reading.start();
                final Session readingSession = reading.createSession();
                final MessageConsumer onOther = readingSession.createConsumer(readingSession.createQueue("orders"));
                assertEquals("after", ((TextMessage)onOther.receive(HaSupport.DEADLINE_MS)).getText(),
                    "only what was sent after the failover reaches the other journal");
                assertNull(onOther.receive(500));
            }
        }
        catch (final JMSException closingTheWatcherOfAKilledBroker)
        {
            // the watching connection's close cannot reach a killed broker
        }
        finally
        {
            backup.resume();
        }
    }

    private static void sendBodies(final Session session, final MessageProducer producer, final long[] lengths,
        final int from, final int to) throws JMSException
    {
        for (int i = from; i < to; i++)
        {
            final BytesMessage message = session.createBytesMessage();
            message.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(lengths[i]));
            message.setIntProperty("seq", i);
            producer.send(message);
        }
    }

    /**
     * Sends a body that never ends to the live alone (no failover: the send fails with its connection).
     */
    private static void sendEndless(final String url, final AtomicReference<Throwable> failure)
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession();
            final BytesMessage endless = session.createBytesMessage();
            endless.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(1L << 40));
            session.createProducer(session.createQueue("bodies")).send(endless);
        }
        catch (final Throwable ex)
        {
            failure.set(ex);
        }
    }

    @Test
    void shouldBeWatchedThroughWhicheverNodeServes() throws Exception
    {
        final int liveMetrics = FreePorts.next();
        final int backupMetrics = FreePorts.next();
        backupSettings.add("metrics.bind = 127.0.0.1:" + backupMetrics);
        final BrokerProcess[] pair = startPair("metrics.bind = 127.0.0.1:" + liveMetrics);
        final BrokerProcess live = pair[1];
        final BrokerProcess backup = pair[2];
        assertTrue(live.recentOutput().contains("metrics at http://127.0.0.1:" + liveMetrics + "/metrics"),
            live.recentOutput());
        try (Connection connection = new MeshConnectionFactory(failoverUrls()).createConnection())
        {
            final Session session = connection.createSession();
            session.createProducer(session.createQueue("watched")).send(session.createTextMessage("kept"));
        }
        final String before = scrape(liveMetrics);
        assertEquals(1.0, value(before, "meshmq_queue_messages{queue=\"watched\"}"), before);
        assertTrue(value(before, "meshmq_replication_lag_seconds") >= 0, before);

        live.kill();
        awaitCondition(() -> !backup.linesContaining("took journal").isEmpty(), "the backup taking over", backup,
            pair[0]);
        awaitCondition(() -> backup.recentOutput().contains("metrics at http://127.0.0.1:" + backupMetrics),
            "the new live's metrics", backup);
        final String after = scrape(backupMetrics);
        assertEquals(1.0, value(after, "meshmq_queue_messages{queue=\"watched\"}"), after);
    }

    @Test
    void shouldTakeTheJournalBackWithFailbackOnceTheOldLiveIsInSync() throws Exception
    {
        final BrokerProcess[] pair = startPair("ha.failback = true");
        final BrokerProcess witness = pair[0];
        final BrokerProcess first = pair[1];
        final BrokerProcess backup = pair[2];

        final Producer producer = new Producer(failoverUrls());
        try (producer)
        {
            awaitCondition(() -> producer.confirmedCount() >= 100, "100 sends confirmed before the kill", first);
            first.kill();
            awaitCondition(() -> !backup.linesContaining("took journal").isEmpty(), "the backup taking over", backup,
                witness);
            final int afterTakeover = producer.confirmedCount();
            awaitCondition(() -> producer.confirmedCount() >= afterTakeover + 100, "100 sends on the backup", backup);

            // Restarted, the old live copies its journal from the backup, then takes it back; the backup becomes its
            // replica again, and the producer follows the journal home.
            final BrokerProcess live = startLive("ha.failback = true");
            awaitCondition(() -> !live.linesContaining("takes its journal").isEmpty() &&
                !live.linesContaining("MeshMQ broker 'live' listening on").isEmpty(), "the old live failing back",
                live, backup, witness);
            assertFalse(live.linesContaining("at epoch 3").isEmpty(), live.recentOutput());
            awaitStatus(live, "replica backup (in sync)");
            HaSupport.awaitReady(backup);
            final int home = producer.confirmedCount();
            awaitCondition(() -> producer.confirmedCount() >= home + 100, "100 sends after the failback", live);
            assertTrue(backup.linesContaining("takes its journal").isEmpty(), "a backup never fails back:\n" +
                backup.recentOutput());
        }
        assertEveryConfirmedMessageOnce("tcp://127.0.0.1:" + livePort, producer.confirmed(), producer.unconfirmed());
    }

    @Test
    void shouldCopyAgainAfterTheReplicaIsKilledDuringTheCopyThatFollowsATakeover() throws Exception
    {
        final BrokerProcess[] pair = startPair();
        final BrokerProcess witness = pair[0];
        final BrokerProcess first = pair[1];
        final BrokerProcess backup = pair[2];
        // A journal big enough that its copy takes a while: the kill below must land in it.
        sendLarge("tcp://127.0.0.1:" + livePort, LARGE_MESSAGES);

        final Producer producer = new Producer(failoverUrls());
        try (producer)
        {
            awaitCondition(() -> producer.confirmedCount() >= 100, "100 sends confirmed before the kill", first);
            first.kill();
            awaitCondition(() -> !backup.linesContaining("took journal").isEmpty(), "the backup taking over", backup,
                witness);

            // The old live comes back as the new live's replica and is killed while the copy runs.
            final BrokerProcess copying = startLive();
            HaSupport.awaitStatus(backup, "replica live (copying, ", "127.0.0.1:" + backupPort);
            copying.kill();
            assertTrue(copying.linesContaining("is ready to take over").isEmpty(), "the copy ended before the kill, " +
                "enlarge the journal:\n" + copying.recentOutput());
            final int whileAlone = producer.confirmedCount();
            awaitCondition(() -> producer.confirmedCount() >= whileAlone + 100, "100 sends while the replica is dead",
                backup);

            // Restarted, it copies anew from the start, becomes the replica in sync, and takes over in its turn with
            // everything the new live confirmed, before and after the interrupted copy.
            final BrokerProcess again = startLive();
            HaSupport.awaitStatus(backup, "replica live (in sync)", "127.0.0.1:" + backupPort);
            HaSupport.awaitReady(again);
            final int inSync = producer.confirmedCount();
            awaitCondition(() -> producer.confirmedCount() >= inSync + 100, "100 sends with the replica in sync",
                backup);
            backup.kill();
            final long killedNs = System.nanoTime();
            awaitCondition(() -> producer.confirmedByAnotherSince(killedNs), "sends confirmed after the second kill",
                again, witness);
            assertFalse(again.linesContaining("at epoch 3").isEmpty(), again.recentOutput());
        }
        assertLargeMessages("tcp://127.0.0.1:" + livePort, LARGE_MESSAGES);
        assertEveryConfirmedMessageOnce("tcp://127.0.0.1:" + livePort, producer.confirmed(), producer.unconfirmed());
    }

    @Test
    void shouldNeverServeACopyTheQuorumDoesNotHoldInSync() throws Exception
    {
        final BrokerProcess[] pair = startPair();
        final BrokerProcess witness = pair[0];
        BrokerProcess live = pair[1];
        BrokerProcess backup = pair[2];
        sendTo("tcp://127.0.0.1:" + livePort, 0, 100);

        // The backup dies; the live records that in the quorum, then confirms with its own disk alone.
        backup.kill();
        final BrokerProcess first = live;
        awaitCondition(() -> !first.linesContaining("the quorum recorded that backup 'backup' is no longer in sync")
            .isEmpty(), "the live recording its replica's loss", live);
        sendTo("tcp://127.0.0.1:" + livePort, 100, 100);
        live.kill();

        // The backup's copy is complete but stale: it must wait, saying why, and never serve it.
        backup = startBackup(livePort);
        final BrokerProcess waiting = backup;
        awaitCondition(() -> !waiting.linesContaining("the quorum does not hold this node's copy as in sync").isEmpty(),
            "the stale backup refusing to take over", backup, witness);
        assertTrue(backup.linesContaining("MeshMQ broker 'backup' listening on").isEmpty(), backup.recentOutput());

        // The live returns with everything; the backup copies it again.
        live = startLive();
        awaitStatus(live, "replica backup (in sync)");
        HaSupport.awaitReady(backup);
        assertTrue(backup.linesContaining("MeshMQ broker 'backup' listening on").isEmpty(), backup.recentOutput());

        // Without a majority (the backup and the witness gone) the live stops serving within its lease.
        backup.kill();
        witness.kill();
        final BrokerProcess alone = live;
        awaitCondition(() -> !alone.linesContaining("stopped serving: no majority of the quorum").isEmpty(),
            "the live stopping without a majority", live);
        final BrokerProcess witnessAgain = start("witness", 0, "ha.role = witness", "ha.quorum-bind = " + quorum[2]);
        final int servedBefore = live.linesContaining("MeshMQ broker 'live' listening on").size();
        awaitCondition(() -> alone.linesContaining("MeshMQ broker 'live' listening on").size() > servedBefore,
            "the live serving again once a majority answers", live, witnessAgain);
        final Set<Integer> all = new HashSet<>();
        for (int i = 0; i < 200; i++)
        {
            all.add(i);
        }
        assertEveryConfirmedMessageOnce("tcp://127.0.0.1:" + livePort, all, Set.of());
    }

    // ---- large messages -------------------------------------------------------------------------------------

    private static void sendLarge(final String url, final int count) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("large"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            final byte[] payload = new byte[LARGE_BYTES];
            for (int i = 0; i < count; i++)
            {
                final BytesMessage message = session.createBytesMessage();
                Arrays.fill(payload, (byte)i);
                message.writeBytes(payload);
                message.setIntProperty("seq", i);
                producer.send(message);
            }
        }
    }

    private static void assertLargeMessages(final String url, final int count) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("large"));
            final byte[] body = new byte[LARGE_BYTES + 1];
            for (int i = 0; i < count; i++)
            {
                final BytesMessage message = (BytesMessage)consumer.receive(HaSupport.DEADLINE_MS);
                assertNotNull(message, "large message " + i + " of " + count + " lost");
                assertEquals(i, message.getIntProperty("seq"));
                assertEquals(LARGE_BYTES, message.readBytes(body));
                assertEquals((byte)i, body[LARGE_BYTES - 1], "large message " + i + " changed");
            }
            assertNull(consumer.receive(500), "a large message twice");
        }
    }

    // ---- processes ----------------------------------------------------------------------------------------

    private void ports() throws IOException
    {
        livePort = FreePorts.next();
        backupPort = FreePorts.next();
        quorum = new String[]
            {"127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next()};
    }

    /**
     * @return the witness, the live and its backup, in sync and ready to take over.
     */
    private BrokerProcess[] startPair(final String... liveSettings) throws Exception
    {
        ports();
        final BrokerProcess witness = start("witness", 0, "ha.role = witness", "ha.quorum-bind = " + quorum[2]);
        final BrokerProcess live = startLive(liveSettings);
        final BrokerProcess backup = startBackup(livePort);
        awaitStatus(live, "replica backup (in sync)");
        HaSupport.awaitReady(backup);
        return new BrokerProcess[] {witness, live, backup};
    }

    private String failoverUrls()
    {
        return "tcp://127.0.0.1:" + livePort + ",tcp://127.0.0.1:" + backupPort +
            "?retryInterval=50&retryIntervalMultiplier=1";
    }

    private BrokerProcess startLive(final String... settings) throws Exception
    {
        final List<String> all = new ArrayList<>(List.of("ha.quorum-bind = " + quorum[0]));
        all.addAll(List.of(settings));
        return startNode("live", livePort, all.toArray(String[]::new));
    }

    private BrokerProcess startBackup(final int live) throws Exception
    {
        final List<String> settings = new ArrayList<>(List.of("ha.quorum-bind = " + quorum[1], "ha.role = backup",
            "ha.live = 127.0.0.1:" + live));
        settings.addAll(backupSettings);
        return startNode("backup", backupPort, settings.toArray(String[]::new));
    }

    private BrokerProcess startNode(final String name, final int port, final String... settings) throws Exception
    {
        return start(name, port, settings);
    }

    private BrokerProcess start(final String name, final int port, final String... settings) throws Exception
    {
        final List<String> lines = new ArrayList<>(List.of("cluster = ha", "ha.quorum = " + String.join(",", quorum)));
        lines.addAll(List.of(settings));
        final BrokerProcess process = BrokerProcess.startNode(dir.resolve(name), name, port, lines.toArray(String[]::new));
        processes.add(process);
        return process;
    }

    private void awaitStatus(final BrokerProcess node, final String expected) throws Exception
    {
        HaSupport.awaitStatus(node, expected, "127.0.0.1:" + livePort);
    }
}
