package io.meshmq.tck.replication;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.FailoverEvent;
import io.meshmq.jms.MeshConnection;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.CompletionListener;
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
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** A node's start line: which journal it serves, where. */
    private static final Pattern SERVING = Pattern.compile(
        "MeshMQ broker '([^']+)' listening on (tcp://\\S+?)[, ].*; (?:serving journal|took journal) (\\S+)");
    private static final Pattern STOPPED = Pattern.compile("MeshMQ broker '([^']+)' stopped serving");

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

    /**
     * @return for every journal a living process of {@code processes} serves: "INDEX/URL", INDEX its place in the
     * array; from the processes' own lines.
     */
    static Map<String, String> served(final BrokerProcess... processes)
    {
        final Map<String, String> journals = new HashMap<>();
        for (int i = 0; i < processes.length; i++)
        {
            if (processes[i] == null || !processes[i].isAlive())
            {
                continue;
            }
            final Map<String, String[]> byNode = new HashMap<>();
            for (final String line : processes[i].output())
            {
                final Matcher serving = SERVING.matcher(line);
                final Matcher stopped = STOPPED.matcher(line);
                if (serving.find())
                {
                    byNode.put(serving.group(1), new String[] {serving.group(3), serving.group(2)});
                }
                else if (stopped.find())
                {
                    byNode.remove(stopped.group(1));
                }
            }
            for (final String[] journal : byNode.values())
            {
                journals.put(journal[0], i + "/" + journal[1]);
            }
        }
        return journals;
    }

    static void awaitCondition(final BooleanSupplier condition, final String what, final BrokerProcess... nodes)
        throws InterruptedException
    {
        awaitCondition(condition, () -> what, nodes);
    }

    /**
     * As {@link #awaitCondition(BooleanSupplier, String, BrokerProcess...)}, with a description made when the wait
     * fails: it can say what was seen at the deadline.
     */
    static void awaitCondition(final BooleanSupplier condition, final Supplier<String> what,
        final BrokerProcess... nodes) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                keepOutputs(nodes);
                fail("no " + what.get() + " within " + DEADLINE_MS + " ms:\n" + Arrays.stream(nodes)
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
     * What happened to each message at one client, with how many failovers its connection had made and to where: told
     * when an assertion fails, to say which path a lost or doubled message took.
     */
    static final class History
    {
        private final Map<Integer, List<String>> events = new ConcurrentHashMap<>();
        private final List<String> failedOverTo = Collections.synchronizedList(new ArrayList<>());
        private volatile String at = "its first broker";

        void watch(final Connection connection) throws JMSException
        {
            ((MeshConnection)connection).setFailoverListener(event ->
            {
                if (event.kind() == FailoverEvent.Kind.COMPLETED)
                {
                    failedOverTo.add(event.url());
                    at = event.url().replaceAll("[?,].*", "");
                }
            });
        }

        /**
         * @return the URL of each broker the connection failed over to, in order.
         */
        List<String> failedOverTo()
        {
            return List.copyOf(failedOverTo);
        }

        void note(final int seq, final String what)
        {
            events.computeIfAbsent(seq, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(what + " after " + failedOverTo.size() + " failovers, at " + at);
        }

        void note(final int seq, final Message message) throws JMSException
        {
            note(seq, "received " + message.getJMSMessageID() + (message.getJMSRedelivered() ? " redelivered" : "") +
                " count " + message.getIntProperty("JMSXDeliveryCount"));
        }

        String of(final Collection<Integer> seqs)
        {
            return seqs.stream().limit(10).map(seq -> seq + ": " + events.get(seq)).collect(Collectors.joining("; "));
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
        private final History history = new History();

        Producer(final String url)
        {
            super("takeover-producer", "producer");
            start(() ->
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    history.watch(connection);
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
                            history.note(seq, "confirmed " + message.getJMSMessageID());
                        }
                        catch (final JMSException ex)
                        {
                            unconfirmed.add(seq);
                            history.note(seq, "failed: " + ex.getMessage());
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
            return history.failedOverTo();
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
        private final History history = new History();

        AckingConsumer(final String url)
        {
            super("acking-consumer", "consumer");
            start(() ->
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    history.watch(connection);
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
                        history.note(seq, message);
                        if (acknowledged.contains(seq))
                        {
                            afterAcknowledged.add(seq);
                        }
                        try
                        {
                            message.acknowledge();
                            acknowledged.add(seq);
                            history.note(seq, "acknowledged");
                        }
                        catch (final JMSException lostInFailover)
                        {
                            // not acknowledged: it may come again
                            history.note(seq, "not acknowledged: " + lostInFailover.getMessage());
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
        int assertEveryConfirmedMessageConsumed(final String url, final Producer producer)
            throws JMSException, InterruptedException
        {
            final Set<Integer> confirmed = producer.confirmed();
            final Set<Integer> unconfirmed = producer.unconfirmed();
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
                    history.note(seq, message);
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
                "confirmed (consumer: " + history.of(afterAcknowledged) + "; producer: " +
                producer.history.of(afterAcknowledged) + ")");
            final Set<Integer> unexpected = new HashSet<>(all);
            unexpected.removeAll(confirmed);
            unexpected.removeAll(unconfirmed);
            assertEquals(Set.of(), unexpected, "messages never sent");
            return all.size() - new HashSet<>(all).size();
        }
    }

    /**
     * Publishes persistent messages to the topic "events" with a {@link CompletionListener} through a failover URL list
     * until closed, at most {@link #IN_FLIGHT} unanswered and paced (about 250 a second: load beside the others, not a
     * flood to drain), noting which sends completed and which the listener was told failed.
     */
    static final class AsyncPublisher extends LoadThread
    {
        static final int IN_FLIGHT = 32;
        private static final long PACE_NS = 4_000_000;
        private final Set<Integer> completed = ConcurrentHashMap.newKeySet();
        private final Set<Integer> failed = ConcurrentHashMap.newKeySet();
        private final Semaphore window = new Semaphore(IN_FLIGHT);

        AsyncPublisher(final String url)
        {
            super("async-publisher", "async publisher");
            start(() ->
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    final MessageProducer producer = session.createProducer(session.createTopic("events"));
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                    for (int seq = 0; running.get() && seq < 1_000_000; seq++)
                    {
                        if (!window.tryAcquire(DEADLINE_MS, TimeUnit.MILLISECONDS))
                        {
                            throw new AssertionError("no async send answered within " + DEADLINE_MS + " ms");
                        }
                        final Message message = session.createTextMessage("event " + seq);
                        message.setIntProperty("seq", seq);
                        final int sent = seq;
                        producer.send(message, new CompletionListener()
                        {
                            @Override
                            public void onCompletion(final Message done)
                            {
                                completed.add(sent);
                                window.release();
                            }

                            @Override
                            public void onException(final Message notDone, final Exception cause)
                            {
                                failed.add(sent);
                                window.release();
                            }
                        });
                        LockSupport.parkNanos(PACE_NS);
                    }
                    if (!window.tryAcquire(IN_FLIGHT, DEADLINE_MS, TimeUnit.MILLISECONDS))
                    {
                        throw new AssertionError("async sends still unanswered " + DEADLINE_MS + " ms after the last");
                    }
                }
            });
        }

        int completedCount()
        {
            return completed.size();
        }

        /**
         * Closes the publisher (waiting for every send's answer), then the subscriber, drains the subscription on
         * {@code url} and checks: every send that completed reached the durable subscription, none that was never
         * sent; none twice except those whose acknowledgement a failover took (AUTO_ACKNOWLEDGE allows that; they
         * come marked redelivered).
         *
         * @return what happened, for the test's output.
         */
        String assertEveryCompletedSendDelivered(final DurableListener subscriber, final String url)
            throws JMSException, InterruptedException
        {
            close();
            final List<Integer> all = subscriber.drain(url, completed);
            final Set<Integer> missing = new HashSet<>(completed);
            missing.removeAll(all);
            assertEquals(Set.of(), missing, "completed async sends never delivered to the durable subscription");
            final Set<Integer> unexpected = new HashSet<>(all);
            unexpected.removeAll(completed);
            unexpected.removeAll(failed);
            assertEquals(Set.of(), unexpected, "messages never sent");
            // AUTO_ACKNOWLEDGE lets a message come again after a failover took its acknowledgement: marked redelivered
            // (the client remembers the last 4,096 messages it took, this one among them at this pace).
            assertEquals(List.of(), subscriber.againNotRedelivered(), "messages delivered again not marked " +
                "redelivered (" + subscriber.history(subscriber.againNotRedelivered()) + ")");
            return completed.size() + " async sends completed, " + failed.size() + " failed; " +
                subscriber.receivedCount() + " delivered to the durable subscriber's listener during the kills, " +
                (all.size() - new HashSet<>(all).size()) + " deliveries again (after a failover, marked redelivered)";
        }
    }

    /**
     * A durable subscriber to "events" with a {@link jakarta.jms.MessageListener} on AUTO_ACKNOWLEDGE, through a
     * failover URL list, until closed: notes every message and any that came again without JMSRedelivered set.
     */
    static final class DurableListener implements AutoCloseable
    {
        private static final String CLIENT_ID = "ha-durable";
        private static final String SUBSCRIPTION = "events-sub";
        private final Set<Integer> seen = ConcurrentHashMap.newKeySet();
        private final List<Integer> received = Collections.synchronizedList(new ArrayList<>());
        private final List<Integer> againNotRedelivered = Collections.synchronizedList(new ArrayList<>());
        private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        private final History history = new History();
        private final Connection connection;

        DurableListener(final String url) throws JMSException
        {
            connection = new MeshConnectionFactory(url).createConnection();
            history.watch(connection);
            connection.setClientID(CLIENT_ID);
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createDurableConsumer(session.createTopic("events"),
                SUBSCRIPTION);
            consumer.setMessageListener(message ->
            {
                try
                {
                    note(message);
                    received.add(message.getIntProperty("seq"));
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            connection.start();
        }

        private void note(final Message message) throws JMSException
        {
            final int seq = message.getIntProperty("seq");
            history.note(seq, message);
            if (!seen.add(seq) && !message.getJMSRedelivered())
            {
                againNotRedelivered.add(seq);
            }
        }

        String history(final List<Integer> seqs)
        {
            return history.of(seqs);
        }

        int receivedCount()
        {
            return received.size();
        }

        List<Integer> againNotRedelivered()
        {
            return List.copyOf(againNotRedelivered);
        }

        @Override
        public void close() throws JMSException
        {
            connection.close();
            if (!failures.isEmpty())
            {
                throw new AssertionError("the durable subscriber's listener failed", failures.get(0));
            }
        }

        /**
         * Closes the listener and receives what is left on the subscription through {@code url} (waiting while some
         * of {@code awaited} never came).
         *
         * @return every message the subscription delivered, in order, duplicates included.
         */
        List<Integer> drain(final String url, final Set<Integer> awaited) throws JMSException
        {
            close();
            final List<Integer> all = new ArrayList<>(received);
            final Set<Integer> left = new HashSet<>(awaited);
            all.forEach(left::remove);
            try (Connection drainer = new MeshConnectionFactory(url).createConnection())
            {
                drainer.setClientID(CLIENT_ID);
                drainer.start();
                final Session session = drainer.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (MessageConsumer consumer = session.createDurableConsumer(session.createTopic("events"),
                    SUBSCRIPTION))
                {
                    Message message;
                    while ((message = consumer.receive(left.isEmpty() ? 1_000 : DEADLINE_MS)) != null)
                    {
                        note(message);
                        all.add(message.getIntProperty("seq"));
                        left.remove(message.getIntProperty("seq"));
                    }
                }
            }
            return all;
        }
    }

    /**
     * Receives from "batches" in local transactions of up to ten through a failover URL list until closed: notes what
     * each confirmed commit consumed, and what a commit that failed may have (in doubt).
     */
    static final class TransactedConsumer extends LoadThread
    {
        private final List<Integer> consumed = Collections.synchronizedList(new ArrayList<>());
        private final Set<Integer> consumedInDoubt = ConcurrentHashMap.newKeySet();
        /** What a consuming transaction that the broker said it rolled back had received, and what it said. */
        private final Map<Integer, String> rolledBackReceived = new ConcurrentHashMap<>();

        TransactedConsumer(final String url)
        {
            super("transacted-consumer", "transacted consumer");
            start(() ->
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    connection.start();
                    final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                    final MessageConsumer consumer = session.createConsumer(session.createQueue("batches"));
                    while (running.get())
                    {
                        final List<Integer> batch = new ArrayList<>();
                        try
                        {
                            Message message;
                            while (batch.size() < TransactedProducer.BATCH && (message = consumer.receive(100)) != null)
                            {
                                batch.add(message.getIntProperty("seq"));
                            }
                            if (batch.isEmpty())
                            {
                                continue;
                            }
                            session.commit();
                            consumed.addAll(batch);
                        }
                        catch (final TransactionRolledBackException rolledBack)
                        {
                            // not consumed: they come again
                            batch.forEach(seq -> rolledBackReceived.put(seq, String.valueOf(rolledBack)));
                        }
                        catch (final JMSException ex)
                        {
                            consumedInDoubt.addAll(batch);
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

        int consumedCount()
        {
            return consumed.size();
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
        String assertEveryCommittedBatchOnce(final String url, final TransactedConsumer consumer)
            throws JMSException, InterruptedException
        {
            close();
            consumer.close();
            final List<Integer> consumedBefore = List.copyOf(consumer.consumed);
            int received = consumedBefore.size();
            final Set<Integer> unique = new HashSet<>(consumedBefore);
            final List<Integer> afterCommitted = new ArrayList<>();
            final Set<Integer> awaited = new HashSet<>(committed);
            awaited.removeAll(unique);
            awaited.removeAll(consumer.consumedInDoubt);
            try (Connection connection = new MeshConnectionFactory(url).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer drainer = session.createConsumer(session.createQueue("batches"));
                Message message;
                while ((message = drainer.receive(awaited.isEmpty() ? 1_000 : DEADLINE_MS)) != null)
                {
                    final int seq = message.getIntProperty("seq");
                    received++;
                    if (!unique.add(seq) && consumedBefore.contains(seq))
                    {
                        afterCommitted.add(seq);
                    }
                    awaited.remove(seq);
                }
            }
            assertEquals(List.of(), afterCommitted, "messages delivered again after a transaction that consumed " +
                "them was committed");
            assertEquals(received, unique.size(), "transacted messages delivered twice");
            final Set<Integer> missing = new HashSet<>(committed);
            missing.removeAll(unique);
            // a consuming commit in doubt may have applied: what it received may be gone, rightly
            missing.removeAll(consumer.consumedInDoubt);
            assertEquals(Set.of(), missing, "committed messages lost (received in consuming transactions rolled " +
                "back: " + missing.stream().filter(consumer.rolledBackReceived::containsKey)
                .map(seq -> seq + " " + consumer.rolledBackReceived.get(seq)).toList() + ")");
            final Set<Integer> resurrected = new HashSet<>(rolledBack);
            resurrected.retainAll(unique);
            assertEquals(Set.of(), resurrected, "messages of transactions the broker said it rolled back");
            int appliedInDoubt = 0;
            for (final List<Integer> batch : List.copyOf(inDoubt))
            {
                final long there = batch.stream()
                    .filter(seq -> unique.contains(seq) || consumer.consumedInDoubt.contains(seq)).count();
                assertTrue(there == 0 || there == batch.size(), "a transaction in doubt applied in part: " + batch);
                appliedInDoubt += there == 0 ? 0 : 1;
            }
            return committed.size() / BATCH + " transactions committed, " + rolledBack.size() / BATCH +
                " rolled back, " + inDoubt.size() + " in doubt (" + appliedInDoubt + " of them applied); " +
                consumedBefore.size() + " consumed in committed transactions during the kills, " +
                consumer.consumedInDoubt.size() + " in consuming transactions in doubt";
        }
    }
}
