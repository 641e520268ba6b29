package io.meshmq.tck.replication;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.FailoverEvent;
import io.meshmq.jms.MeshConnection;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TransactionRolledBackException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the takeover tests share: waiting on a node's status or output with a deadline, a producer that sends through
 * a failover URL list noting what was confirmed, and the check that every confirmed message is there once.
 */
final class HaSupport
{
    static final long DEADLINE_MS = 60_000;

    private HaSupport()
    {
    }

    static void awaitStatus(final BrokerProcess node, final String expected, final String at) throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        String last = null;
        while (System.currentTimeMillis() < deadline)
        {
            try (MeshAdmin admin = MeshAdmin.connect("tcp://" + at, null, null))
            {
                last = String.valueOf(admin.call(AdminVerbs.CLUSTER_STATUS).value(0, "state"));
                if (last.contains(expected))
                {
                    return;
                }
            }
            catch (final JMSException notYet)
            {
                last = notYet.toString();
            }
            Thread.sleep(50);
        }
        fail("cluster status of " + at + " never said '" + expected + "' (last: " + last + "):\n" + node.recentOutput());
    }

    /**
     * Waits until the backup says it can take over: its copy in sync and its own vote told so by the quorum (before
     * that, a vote whose log is still empty cannot help elect a leader when the live goes).
     */
    static void awaitReady(final BrokerProcess backup) throws InterruptedException
    {
        awaitCondition(() -> !backup.linesContaining("is ready to take over").isEmpty(), "backup ready to take over",
            backup);
    }

    static void awaitCondition(final BooleanSupplier condition, final String what, final BrokerProcess... nodes)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                keepOutputs(nodes);
                fail("no " + what + " within " + DEADLINE_MS + " ms:\n" + Arrays.stream(nodes)
                    .map(BrokerProcess::recentOutput).collect(Collectors.joining("\n----\n")));
            }
            Thread.sleep(20);
        }
    }

    /**
     * Writes each node's whole output to target/ha-failures/, where the assertion's last lines do not say enough.
     */
    private static void keepOutputs(final BrokerProcess... nodes)
    {
        try
        {
            final Path failures = Path.of("target", "ha-failures");
            Files.createDirectories(failures);
            final String stamp = Long.toString(System.currentTimeMillis());
            for (int i = 0; i < nodes.length; i++)
            {
                Files.write(failures.resolve(stamp + "-" + i + ".log"), nodes[i].output());
            }
        }
        catch (final IOException ex)
        {
            System.err.println("cannot keep the nodes' output: " + ex);
        }
    }

    /**
     * A client thread of the takeover tests, running until closed: close() stops it, waits for it and fails the test
     * with what ended it otherwise.
     */
    private abstract static class LoadThread implements AutoCloseable
    {
        /**
         * What the thread does; it ends when {@link #running} goes false.
         */
        @FunctionalInterface
        interface Work
        {
            void run() throws Exception;
        }

        final AtomicBoolean running = new AtomicBoolean(true);
        private final String name;
        private final String what;
        private Thread thread;
        private volatile Throwable failure;

        LoadThread(final String name, final String what)
        {
            this.name = name;
            this.what = what;
        }

        /**
         * Starts the work; a subclass calls it once its own fields are set.
         */
        final void start(final Work work)
        {
            thread = new Thread(() ->
            {
                try
                {
                    work.run();
                }
                catch (final Throwable ex)
                {
                    failure = ex;
                }
            }, name);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException
        {
            running.set(false);
            thread.join(DEADLINE_MS);
            assertFalse(thread.isAlive(), "the " + what + " did not stop");
            if (failure != null)
            {
                throw new AssertionError("the " + what + " failed", failure);
            }
        }
    }

    // ---- messages -----------------------------------------------------------------------------------------

    static void sendTo(final String url, final int from, final int count) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("orders"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = from; i < from + count; i++)
            {
                final Message message = session.createTextMessage("order " + i);
                message.setIntProperty("seq", i);
                producer.send(message);
            }
        }
    }

    static void assertEveryConfirmedMessageOnce(final String url, final Set<Integer> confirmed,
        final Set<Integer> unconfirmed) throws JMSException
    {
        final Set<Integer> received = new HashSet<>();
        final List<Integer> twice = new ArrayList<>();
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
            Message message;
            while ((message = consumer.receive(received.size() < confirmed.size() ? DEADLINE_MS : 1_000)) != null)
            {
                if (!received.add(message.getIntProperty("seq")))
                {
                    twice.add(message.getIntProperty("seq"));
                }
            }
        }
        final Set<Integer> missing = new HashSet<>(confirmed);
        missing.removeAll(received);
        assertEquals(Set.of(), missing, "confirmed messages lost");
        assertEquals(List.of(), twice, "messages delivered twice");
        final Set<Integer> unexpected = new HashSet<>(received);
        unexpected.removeAll(confirmed);
        unexpected.removeAll(unconfirmed);
        assertEquals(Set.of(), unexpected, "messages never sent");
    }

    /**
     * Sends persistent messages one after another through a failover URL list until closed, noting when each was
     * confirmed, and which failed.
     */
    static final class Producer extends LoadThread
    {
        private final Map<Integer, Long> confirmedAtNs = new ConcurrentHashMap<>();
        private final Set<Integer> unconfirmed = ConcurrentHashMap.newKeySet();
        private final List<String> failedOverTo = Collections.synchronizedList(new ArrayList<>());

        Producer(final String url)
        {
            super("takeover-producer", "producer");
            start(() ->
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    ((MeshConnection)connection).setFailoverListener(event ->
                    {
                        if (event.kind() == FailoverEvent.Kind.COMPLETED)
                        {
                            failedOverTo.add(event.url());
                        }
                    });
                    final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    final MessageProducer producer = session.createProducer(session.createQueue("orders"));
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                    for (int seq = 0; running.get() && seq < 1_000_000; seq++)
                    {
                        final Message message = session.createTextMessage("order " + seq);
                        message.setIntProperty("seq", seq);
                        try
                        {
                            producer.send(message);
                            confirmedAtNs.put(seq, System.nanoTime());
                        }
                        catch (final JMSException ex)
                        {
                            unconfirmed.add(seq);
                        }
                    }
                }
            });
        }

        int confirmedCount()
        {
            return confirmedAtNs.size();
        }

        /**
         * @return the URL of each broker the producer failed over to, in order.
         */
        List<String> failedOverTo()
        {
            return List.copyOf(failedOverTo);
        }

        Set<Integer> confirmed()
        {
            return Set.copyOf(confirmedAtNs.keySet());
        }

        Set<Integer> unconfirmed()
        {
            return Set.copyOf(unconfirmed);
        }

        /**
         * @return true once two sends were confirmed after {@code ns}: sends are synchronous, one at a time, so a node
         * that died at {@code ns} can have confirmed one of them at most (its answer read after its death).
         */
        boolean confirmedByAnotherSince(final long ns)
        {
            return confirmedAtNs.values().stream().filter(at -> at > ns).count() >= 2;
        }

        /**
         * @return ms from {@code ns} to the second confirmation after it (see {@link #confirmedByAnotherSince}).
         */
        long msToAnotherSince(final long ns)
        {
            return (confirmedAtNs.values().stream().filter(at -> at > ns).sorted().skip(1).findFirst()
                .orElseThrow() - ns) / 1_000_000;
        }
    }

    /**
     * Receives from "orders" through a failover URL list until closed, acknowledging each message on its own
     * (CLIENT_ACKNOWLEDGE): notes every message received and which acknowledgements were confirmed, so that a message
     * coming again after its acknowledgement was confirmed (what the specification never allows) is caught.
     */
    static final class AckingConsumer extends LoadThread
    {
        private final List<Integer> received = Collections.synchronizedList(new ArrayList<>());
        private final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        private final List<Integer> afterAcknowledged = Collections.synchronizedList(new ArrayList<>());

        AckingConsumer(final String url)
        {
            super("acking-consumer", "consumer");
            start(() ->
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    connection.start();
                    final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                    final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
                    while (running.get())
                    {
                        final Message message;
                        try
                        {
                            message = consumer.receive(100);
                        }
                        catch (final JMSException reconnecting)
                        {
                            continue;
                        }
                        if (message == null)
                        {
                            continue;
                        }
                        final int seq = message.getIntProperty("seq");
                        received.add(seq);
                        if (acknowledged.contains(seq))
                        {
                            afterAcknowledged.add(seq);
                        }
                        try
                        {
                            message.acknowledge();
                            acknowledged.add(seq);
                        }
                        catch (final JMSException lostInFailover)
                        {
                            // not acknowledged: it may come again
                        }
                    }
                }
            });
        }

        int receivedCount()
        {
            return received.size();
        }

        /**
         * Receives what is left with a consumer of its own and checks, with what this one received: every confirmed
         * message came, none that was never sent, and none again after its acknowledgement was confirmed.
         *
         * @return how many came more than once (each after an acknowledgement a failover took).
         */
        int assertEveryConfirmedMessageConsumed(final String url, final Set<Integer> confirmed,
            final Set<Integer> unconfirmed) throws JMSException, InterruptedException
        {
            close();
            final List<Integer> all = new ArrayList<>(received);
            try (Connection connection = new MeshConnectionFactory(url).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
                final Set<Integer> awaited = new HashSet<>(confirmed);
                all.forEach(awaited::remove);
                Message message;
                while ((message = consumer.receive(awaited.isEmpty() ? 1_000 : DEADLINE_MS)) != null)
                {
                    final int seq = message.getIntProperty("seq");
                    if (acknowledged.contains(seq))
                    {
                        afterAcknowledged.add(seq);
                    }
                    all.add(seq);
                    awaited.remove(seq);
                }
            }
            final Set<Integer> missing = new HashSet<>(confirmed);
            missing.removeAll(all);
            assertEquals(Set.of(), missing, "confirmed messages lost");
            assertEquals(List.of(), afterAcknowledged, "messages delivered again after their acknowledgement was " +
                "confirmed");
            final Set<Integer> unexpected = new HashSet<>(all);
            unexpected.removeAll(confirmed);
            unexpected.removeAll(unconfirmed);
            assertEquals(Set.of(), unexpected, "messages never sent");
            return all.size() - new HashSet<>(all).size();
        }
    }

    /**
     * Sends persistent messages to "batches" in transactions of ten through a failover URL list until closed, noting
     * which batches were committed, which the broker said were rolled back, and which are in doubt (the commit failed
     * otherwise).
     */
    static final class TransactedProducer extends LoadThread
    {
        static final int BATCH = 10;
        private static final long PACE_NS = 20_000_000;
        private final Set<Integer> committed = ConcurrentHashMap.newKeySet();
        private final Set<Integer> rolledBack = ConcurrentHashMap.newKeySet();
        private final List<List<Integer>> inDoubt = Collections.synchronizedList(new ArrayList<>());

        TransactedProducer(final String url)
        {
            super("transacted-producer", "transacted producer");
            start(() ->
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                    final MessageProducer producer = session.createProducer(session.createQueue("batches"));
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                    for (int first = 0; running.get() && first < 1_000_000; first += BATCH)
                    {
                        final List<Integer> batch = new ArrayList<>();
                        try
                        {
                            for (int seq = first; seq < first + BATCH; seq++)
                            {
                                final Message message = session.createTextMessage("batch item " + seq);
                                message.setIntProperty("seq", seq);
                                producer.send(message);
                                batch.add(seq);
                            }
                            session.commit();
                            committed.addAll(batch);
                            // Paced (50 transactions a second): load beside the other clients, not a flood to drain.
                            LockSupport.parkNanos(PACE_NS);
                        }
                        catch (final TransactionRolledBackException ex)
                        {
                            rolledBack.addAll(batch);
                        }
                        catch (final JMSException ex)
                        {
                            inDoubt.add(batch);
                            try
                            {
                                session.rollback();
                            }
                            catch (final JMSException notNow)
                            {
                                // the next commit tells
                            }
                        }
                    }
                }
            });
        }

        /**
         * Receives every message of "batches" and checks: every committed batch is there, once; none the broker said
         * it rolled back; each batch in doubt whole or not at all.
         *
         * @return what happened, for the test's output.
         */
        String assertEveryCommittedBatchOnce(final String url) throws JMSException, InterruptedException
        {
            close();
            int received = 0;
            final Set<Integer> unique = new HashSet<>();
            final Set<Integer> awaited = new HashSet<>(committed);
            try (Connection connection = new MeshConnectionFactory(url).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("batches"));
                Message message;
                while ((message = consumer.receive(awaited.isEmpty() ? 1_000 : DEADLINE_MS)) != null)
                {
                    final int seq = message.getIntProperty("seq");
                    received++;
                    unique.add(seq);
                    awaited.remove(seq);
                }
            }
            assertEquals(received, unique.size(), "transacted messages delivered twice");
            final Set<Integer> missing = new HashSet<>(committed);
            missing.removeAll(unique);
            assertEquals(Set.of(), missing, "committed messages lost");
            final Set<Integer> resurrected = new HashSet<>(rolledBack);
            resurrected.retainAll(unique);
            assertEquals(Set.of(), resurrected, "messages of transactions the broker said it rolled back");
            int appliedInDoubt = 0;
            for (final List<Integer> batch : List.copyOf(inDoubt))
            {
                final long there = batch.stream().filter(unique::contains).count();
                assertTrue(there == 0 || there == batch.size(), "a transaction in doubt applied in part: " + batch);
                appliedInDoubt += there == 0 ? 0 : 1;
            }
            return committed.size() / BATCH + " transactions committed, " + rolledBack.size() / BATCH +
                " rolled back, " + inDoubt.size() + " in doubt (" + appliedInDoubt + " of them applied)";
        }
    }
}
