package io.meshmq.bridge;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.protocol.MessageDescriptor;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One core bridge: takes messages from a queue of this broker and sends them to an address of another, once and only
 * once. It receives a window of messages in a transaction of the source's, sends each to the target stamped with a
 * duplicate id (the application's, or {@code bridge:NAME:MESSAGE-ID}), waits until the target confirmed every one, and
 * only then commits the source: a crash of either side between the two makes the bridge send again what the target
 * recognises and stores once. A message the target refuses (no such address, not allowed, malformed) goes to the
 * source queue's dead-letter address with the reason, in the same source transaction, instead of blocking the bridge.
 * Any other failure closes both connections and retries after the retry interval, growing by its multiplier; it logs
 * the first failure, a change of failure, and at most one repeat a minute.
 * <p>
 * Runs on its own thread; {@link #status()} and {@link #stop()} from any thread.
 */
final class Bridge implements Runnable
{
    private static final System.Logger LOG = System.getLogger(Bridge.class.getName());
    static final String REASON_PROPERTY = "JMS_MeshMQ_DeadLetterReason";
    private static final long RECEIVE_MS = 250;
    private static final long CONFIRM_TIMEOUT_MS = 60_000;
    private static final long LOG_REPEAT_NS = TimeUnit.MINUTES.toNanos(1);

    /**
     * What {@code bridge status} shows.
     */
    record Status(String state, long forwarded, long deadLettered, String lastError)
    {
    }

    private final BridgeDefinition definition;
    private final AtomicBoolean started = new AtomicBoolean();
    private String sourceUrl;
    /** The source queue's dead-letter address; empty to drop what the target refuses. */
    private final String deadLetterAddress;
    private final Thread thread;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean running = true;
    private volatile String state = "starting";
    private volatile String lastError = "";
    private String loggedError;
    private long loggedAtNs;
    private Connection source;
    private Session sourceSession;
    private MessageConsumer consumer;
    private MessageProducer deadLetters;
    private Connection target;
    private MessageProducer producer;
    private Destination targetDestination;

    Bridge(final BridgeDefinition definition, final String deadLetterAddress)
    {
        this.definition = definition;
        this.deadLetterAddress = deadLetterAddress;
        this.thread = new Thread(this, "meshmq-bridge-" + definition.name());
        this.thread.setDaemon(true);
    }

    BridgeDefinition definition()
    {
        return definition;
    }

    /**
     * Starts its thread, once however often called.
     *
     * @param sourceUrl where it reaches the broker it runs in (in-VM where it can).
     */
    void start(final String sourceUrl)
    {
        if (started.compareAndSet(false, true))
        {
            this.sourceUrl = sourceUrl;
            thread.start();
        }
    }

    /**
     * Stops it and waits (up to 10 s) for its thread; what it received and had not forwarded stays on the source.
     */
    void stop()
    {
        running = false;
        if (!started.get())
        {
            return;
        }
        thread.interrupt();
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            LOG.log(System.Logger.Level.WARNING, "bridge '" + definition.name() + "' did not stop within 10 s (" +
                state + ")");
        }
    }

    Status status()
    {
        return new Status(state, forwarded.get(), deadLettered.get(), lastError);
    }

    @Override
    public void run()
    {
        long delayMs = definition.retryIntervalMs();
        int failures = 0;
        while (running)
        {
            try
            {
                if (target == null)
                {
                    connect();
                    if (failures > 0)
                    {
                        LOG.log(System.Logger.Level.INFO, "bridge '" + definition.name() + "' forwards to " +
                            definition.shownTargetUrl() + " again after " + failures + " failed attempt(s)");
                    }
                    failures = 0;
                    delayMs = definition.retryIntervalMs();
                    loggedError = null;
                    state = "forwarding";
                }
                forwardBatch();
            }
            catch (final JMSException | RuntimeException ex)
            {
                closeConnections();
                if (!running)
                {
                    break;
                }
                failures++;
                lastError = describe(ex);
                logFailure();
                if (definition.reconnectAttempts() >= 0 && failures > definition.reconnectAttempts())
                {
                    state = "stopped after " + failures + " failed attempts (reconnect-attempts " +
                        definition.reconnectAttempts() + ")";
                    LOG.log(System.Logger.Level.ERROR, "bridge '" + definition.name() + "' " + state + ": " +
                        lastError);
                    return;
                }
                state = "retrying every " + delayMs + " ms";
                try
                {
                    Thread.sleep(delayMs);
                }
                catch (final InterruptedException interrupted)
                {
                    break;
                }
                delayMs = Math.min(definition.maxRetryIntervalMs(),
                    (long)(delayMs * definition.retryIntervalMultiplier()));
            }
        }
        closeConnections();
        state = "stopped";
    }

    private void connect() throws JMSException
    {
        state = "connecting";
        source = new MeshConnectionFactory(sourceUrl, definition.sourceUser(), definition.sourcePassword())
            .createConnection();
        sourceSession = source.createSession(true, Session.SESSION_TRANSACTED);
        consumer = sourceSession.createConsumer(sourceSession.createQueue(definition.sourceQueue()),
            definition.filter());
        deadLetters = deadLetterAddress.isEmpty() ? null :
            sourceSession.createProducer(sourceSession.createQueue(deadLetterAddress));
        source.start();
        target = new MeshConnectionFactory(definition.targetUrl(), definition.user(), definition.password())
            .createConnection();
        final Session targetSession = target.createSession(false, Session.AUTO_ACKNOWLEDGE);
        targetDestination = definition.targetIsTopic() ? targetSession.createTopic(definition.targetName()) :
            targetSession.createQueue(definition.targetName());
        producer = targetSession.createProducer(null);
    }

    /**
     * Forwards up to a confirmation window of messages, or returns after a short wait if none is waiting.
     */
    private void forwardBatch() throws JMSException
    {
        final Message first = consumer.receive(RECEIVE_MS);
        if (first == null)
        {
            return;
        }
        final List<Message> batch = new ArrayList<>();
        batch.add(first);
        for (Message next = consumer.receiveNoWait(); next != null; next = consumer.receiveNoWait())
        {
            batch.add(next);
            if (batch.size() == definition.confirmationWindow())
            {
                break;
            }
        }
        final Confirmations confirmations = new Confirmations(batch.size());
        final long now = System.currentTimeMillis();
        int expired = 0;
        for (int i = 0; i < batch.size(); i++)
        {
            final Message received = batch.get(i);
            final long expiration = received.getJMSExpiration();
            if (expiration != 0 && expiration <= now)
            {
                confirmations.completed(i, null); // expired on the way: nobody is to get it
                expired++;
                continue;
            }
            final MeshMessage copy = ((MeshMessage)received).writableCopy();
            if (!copy.propertyExists(MessageDescriptor.DUPLICATE_ID_PROPERTY))
            {
                copy.setStringProperty(MessageDescriptor.DUPLICATE_ID_PROPERTY,
                    "bridge:" + definition.name() + ":" + received.getJMSMessageID());
            }
            producer.send(targetDestination, copy, received.getJMSDeliveryMode(), received.getJMSPriority(),
                expiration == 0 ? 0 : expiration - now, confirmations.listener(i));
        }
        final JMSException[] results = confirmations.await();
        int sent = 0;
        for (int i = 0; i < results.length; i++)
        {
            final JMSException failure = results[i];
            if (failure == null)
            {
                sent++;
            }
            else if (isRefusal(failure))
            {
                deadLetter(batch.get(i), failure);
            }
            else
            {
                throw failure;
            }
        }
        sourceSession.commit();
        forwarded.addAndGet(sent - expired);
    }

    private void deadLetter(final Message refused, final JMSException why) throws JMSException
    {
        final String reason = "bridge '" + definition.name() + "': " + definition.shownTargetUrl() + " refused it: " +
            describe(why);
        if (deadLetters == null)
        {
            LOG.log(System.Logger.Level.WARNING, "dropped message " + refused.getJMSMessageID() + " (no dead-letter " +
                "address for " + definition.sourceQueue() + "): " + reason);
        }
        else
        {
            final MeshMessage copy = ((MeshMessage)refused).writableCopy();
            copy.setStringProperty(REASON_PROPERTY, reason);
            deadLetters.send(copy, refused.getJMSDeliveryMode(), refused.getJMSPriority(), 0);
        }
        deadLettered.incrementAndGet();
    }

    private static boolean isRefusal(final JMSException failure)
    {
        return failure instanceof InvalidDestinationException || failure instanceof JMSSecurityException ||
            failure instanceof MessageFormatException;
    }

    private void logFailure()
    {
        final long now = System.nanoTime();
        if (!lastError.equals(loggedError) || now - loggedAtNs >= LOG_REPEAT_NS)
        {
            LOG.log(System.Logger.Level.WARNING, "bridge '" + definition.name() + "' cannot forward to " +
                definition.shownTargetUrl() + " (retrying; this is logged again only if it changes or after a " +
                "minute): " + lastError);
            loggedError = lastError;
            loggedAtNs = now;
        }
    }

    private static String describe(final Exception ex)
    {
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    }

    private void closeConnections()
    {
        for (final Connection connection : new Connection[] {target, source})
        {
            if (connection != null)
            {
                try
                {
                    connection.close();
                }
                catch (final JMSException | RuntimeException ex)
                {
                    // it is being dropped: what it held comes back to the source queue, or was confirmed
                }
            }
        }
        target = null;
        source = null;
    }

    /**
     * The target's answers to one window of sends, each by its index.
     */
    private static final class Confirmations
    {
        private final JMSException[] results;
        private final CountDownLatch outstanding;

        Confirmations(final int count)
        {
            results = new JMSException[count];
            outstanding = new CountDownLatch(count);
        }

        void completed(final int index, final JMSException failure)
        {
            results[index] = failure;
            outstanding.countDown();
        }

        CompletionListener listener(final int index)
        {
            return new CompletionListener()
            {
                @Override
                public void onCompletion(final Message message)
                {
                    completed(index, null);
                }

                @Override
                public void onException(final Message message, final Exception exception)
                {
                    completed(index, exception instanceof JMSException jms ? jms :
                        new JMSException(describe(exception)));
                }
            };
        }

        JMSException[] await() throws JMSException
        {
            try
            {
                if (!outstanding.await(CONFIRM_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    throw new JMSException("the target confirmed " + (results.length - outstanding.getCount()) +
                        " of " + results.length + " messages within " + CONFIRM_TIMEOUT_MS + " ms");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new JMSException("stopped while waiting for the target's confirmations");
            }
            return results.clone();
        }
    }
}
