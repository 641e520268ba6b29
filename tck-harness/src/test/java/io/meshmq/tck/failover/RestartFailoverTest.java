package io.meshmq.tck.failover;

import io.meshmq.jms.FailoverEvent;
import io.meshmq.jms.MeshConnection;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TransactionRolledBackException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One broker killed with SIGKILL and restarted on its port and data directory five times while producers (sync and
 * asynchronous, persistent) and consumers (each acknowledge mode and transacted) use a one-URL client that reconnects
 * for ever: no application call fails except the documented ones, and every confirmed message is consumed once.
 */
class RestartFailoverTest
{
    private static final int RESTARTS = 5;
    private static final String[] MODES = {"auto", "client", "dups", "transacted"};

    @TempDir
    Path workDir;

    private final ClientThreads clients = new ClientThreads();
    private final AtomicBoolean producing = new AtomicBoolean(true);
    /** When the broker was last killed, and when a consumer that had failed over since first received a message. */
    private final AtomicLong killedAt = new AtomicLong();
    private final AtomicLong firstAfterKill = new AtomicLong();

    @Test
    void shouldCarryOnThroughKillsAndRestartsLosingNothingAndDuplicatingNothing() throws Exception
    {
        final Path data = workDir.resolve("broker");
        BrokerProcess broker = BrokerProcess.start(data);
        final int port = broker.port();
        final String url = "tcp://127.0.0.1:" + port + "?reconnectAttempts=-1&failoverTimeout=60000&retryInterval=20" +
            "&maxRetryInterval=200";
        final Map<String, Set<Integer>> confirmed = new ConcurrentHashMap<>();
        final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();
        try
        {
            for (final String mode : MODES)
            {
                confirmed.put(mode, ConcurrentHashMap.newKeySet());
                final Ledger ledger = new Ledger();
                ledgers.put(mode, ledger);
                clients.start("consumer-" + mode, () -> consume(url, mode, ledger));
            }
            final AtomicInteger ids = new AtomicInteger();
            clients.start("sync-producer", () -> produceSync(url, ids, confirmed));
            clients.start("async-producer", () -> produceAsync(url, ids, confirmed));

            for (int restart = 1; restart <= RESTARTS; restart++)
            {
                final int before = total(confirmed);
                await("progress before kill " + restart, 60, () -> total(confirmed) >= before + 300 || clients.anyFailed());
                clients.assertNoneFailed();
                firstAfterKill.set(0);
                killedAt.set(System.nanoTime());
                broker.kill();
                broker = BrokerProcess.startNode(data, "crash", port);
                await("a message received after restart " + restart, 60,
                    () -> firstAfterKill.get() != 0 || clients.anyFailed());
                System.out.printf("restart %d: the first message after failing over came %d ms after the kill%n",
                    restart, TimeUnit.NANOSECONDS.toMillis(firstAfterKill.get() - killedAt.get()));
            }
            producing.set(false);
            awaitQuietly(90, () ->
            {
                for (final String mode : MODES)
                {
                    if (!ledgers.get(mode).consumedIds().containsAll(confirmed.get(mode)))
                    {
                        return clients.anyFailed();
                    }
                }
                return true;
            });
            clients.assertNoneFailed();
            for (final String mode : MODES)
            {
                ledgers.get(mode).assertNoneMissing(mode, confirmed.get(mode));
            }
            for (final String mode : MODES)
            {
                ledgers.get(mode).assertOnce(mode);
            }
        }
        finally
        {
            producing.set(false);
            clients.stop();
            broker.close();
        }
        clients.assertNoneFailed();
    }

    /**
     * What one consumer took: every delivery with its redelivered flag, and which consumptions were confirmed (a
     * commit or acknowledge returned, or, for the automatic modes, receive returned).
     */
    private static final class Ledger
    {
        final Map<Integer, AtomicInteger> confirmedConsumptions = new ConcurrentHashMap<>();
        final Map<Integer, AtomicInteger> firstDeliveries = new ConcurrentHashMap<>();
        /** Consumed by an acknowledge() that failed as the connection was lost: it may have reached the broker. */
        final Set<Integer> maybeConsumed = ConcurrentHashMap.newKeySet();

        Set<Integer> consumedIds()
        {
            final Set<Integer> all = new java.util.HashSet<>(confirmedConsumptions.keySet());
            all.addAll(maybeConsumed);
            return all;
        }

        void delivered(final int id, final boolean redelivered)
        {
            if (!redelivered)
            {
                firstDeliveries.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            }
        }

        void consumed(final int id)
        {
            confirmedConsumptions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }

        void assertNoneMissing(final String mode, final Set<Integer> confirmed)
        {
            final Set<Integer> missing = new java.util.TreeSet<>(confirmed);
            missing.removeAll(consumedIds());
            assertTrue(missing.isEmpty(), mode + ": " + missing.size() + " of " + confirmed.size() +
                " confirmed messages never consumed: " + missing);
        }

        void assertOnce(final String mode)
        {
            for (final Map.Entry<Integer, AtomicInteger> first : firstDeliveries.entrySet())
            {
                assertEquals(1, first.getValue().get(), mode + ": message " + first.getKey() + " was delivered " +
                    first.getValue().get() + " times without JMSRedelivered: it was stored more than once");
            }
            if (!mode.equals("auto") && !mode.equals("dups"))
            {
                for (final Map.Entry<Integer, AtomicInteger> consumption : confirmedConsumptions.entrySet())
                {
                    assertEquals(1, consumption.getValue().get(), mode + ": message " + consumption.getKey() +
                        " was consumed (committed or acknowledged) " + consumption.getValue().get() + " times");
                }
            }
        }
    }

    private void consume(final String url, final String mode, final Ledger ledger) throws JMSException
    {
        final int ackMode = switch (mode)
        {
            case "client" -> Session.CLIENT_ACKNOWLEDGE;
            case "dups" -> Session.DUPS_OK_ACKNOWLEDGE;
            case "transacted" -> Session.SESSION_TRANSACTED;
            default -> Session.AUTO_ACKNOWLEDGE;
        };
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final AtomicLong failedOverAt = new AtomicLong();
            ((MeshConnection)connection).setFailoverListener(event ->
            {
                if (event.kind() == FailoverEvent.Kind.COMPLETED)
                {
                    failedOverAt.set(System.nanoTime());
                }
            });
            connection.start();
            final Session session = connection.createSession(ackMode == Session.SESSION_TRANSACTED, ackMode);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("failover-" + mode));
            final List<Integer> batch = new ArrayList<>();
            Message last = null;
            while (!Thread.currentThread().isInterrupted())
            {
                final Message message = consumer.receive(100);
                if (message != null)
                {
                    final int id = message.getIntProperty("id");
                    ledger.delivered(id, message.getJMSRedelivered());
                    final long now = System.nanoTime();
                    if (failedOverAt.get() > killedAt.get() && killedAt.get() != 0)
                    {
                        firstAfterKill.compareAndSet(0, now);
                    }
                    batch.add(id);
                    last = message;
                }
                if (batch.isEmpty() || message != null && batch.size() < 10)
                {
                    continue;
                }
                try
                {
                    if (ackMode == Session.SESSION_TRANSACTED)
                    {
                        session.commit();
                    }
                    else if (ackMode == Session.CLIENT_ACKNOWLEDGE)
                    {
                        // Acknowledges every message the session consumed.
                        last.acknowledge();
                    }
                    batch.forEach(ledger::consumed);
                }
                catch (final TransactionRolledBackException documented)
                {
                    // The transaction held messages from before a failover: they come again.
                }
                catch (final JMSException ex)
                {
                    // acknowledge() in the gap throws: what it did not acknowledge comes again. A commit in flight
                    // is never in doubt here: the restarted broker finds it, or not, by its id.
                    if (!"FAILED_OVER".equals(ex.getErrorCode()))
                    {
                        throw ex;
                    }
                    ledger.maybeConsumed.addAll(batch);
                }
                batch.clear();
            }
        }
    }

    private void produceSync(final String url, final AtomicInteger ids, final Map<String, Set<Integer>> confirmed)
        throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer[] producers = producers(session);
            while (producing.get())
            {
                final int id = ids.incrementAndGet();
                final int target = id % MODES.length;
                final Message message = session.createTextMessage("sync " + id);
                message.setIntProperty("id", id);
                producers[target].send(message);
                confirmed.get(MODES[target]).add(id);
            }
        }
    }

    private void produceAsync(final String url, final AtomicInteger ids, final Map<String, Set<Integer>> confirmed)
        throws Exception
    {
        final Semaphore window = new Semaphore(100);
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer[] producers = producers(session);
            while (producing.get())
            {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
                final int id = ids.incrementAndGet();
                final int target = id % MODES.length;
                final Message message = session.createTextMessage("async " + id);
                message.setIntProperty("id", id);
                producers[target].send(message,
                    clients.completion("async send " + id, window, () -> confirmed.get(MODES[target]).add(id)));
            }
            window.tryAcquire(100, 60, TimeUnit.SECONDS);
        }
    }

    private static MessageProducer[] producers(final Session session) throws JMSException
    {
        final MessageProducer[] producers = new MessageProducer[MODES.length];
        for (int i = 0; i < MODES.length; i++)
        {
            producers[i] = session.createProducer(session.createQueue("failover-" + MODES[i]));
            producers[i].setDeliveryMode(DeliveryMode.PERSISTENT);
        }
        return producers;
    }

    private static int total(final Map<String, Set<Integer>> confirmed)
    {
        return confirmed.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * Polls until the condition holds or the time is up; the assertions after it say what is missing.
     */
    private static void awaitQuietly(final int seconds, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
    }

    private static void await(final String what, final int seconds, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
