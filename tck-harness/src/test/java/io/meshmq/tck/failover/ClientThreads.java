package io.meshmq.tck.failover;

import jakarta.jms.CompletionListener;
import jakarta.jms.JMSException;
import jakarta.jms.Message;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * The application threads of a failover test: each runs until the test interrupts it, and every failure it meets
 * that the application would have seen is kept, for the test to assert there was none.
 */
public final class ClientThreads
{
    /**
     * What one thread does.
     */
    @FunctionalInterface
    public interface Work
    {
        void run() throws Exception;
    }

    private final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    public Thread start(final String name, final Work work)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                work.run();
            }
            catch (final InterruptedException ex)
            {
                // Only stop() interrupts these threads: the end, not a failure.
            }
            catch (final Throwable ex)
            {
                if (!Thread.currentThread().isInterrupted() || !(ex instanceof JMSException))
                {
                    unexpected.add(new AssertionError(name + " failed", ex));
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
        return thread;
    }

    /**
     * Keeps a failure an application call met.
     */
    public void failed(final Throwable failure)
    {
        unexpected.add(failure);
    }

    /**
     * @return a listener for an asynchronous send that runs {@code confirmed} when the send completes, keeps a
     * failure, and either way gives its permit back to {@code window}.
     */
    public CompletionListener completion(final String what, final Semaphore window, final Runnable confirmed)
    {
        return new CompletionListener()
        {
            @Override
            public void onCompletion(final Message message)
            {
                confirmed.run();
                window.release();
            }

            @Override
            public void onException(final Message message, final Exception ex)
            {
                failed(new AssertionError(what + " failed", ex));
                window.release();
            }
        };
    }

    public boolean anyFailed()
    {
        return !unexpected.isEmpty();
    }

    /**
     * Interrupts every thread and waits for each to end.
     */
    public void stop() throws InterruptedException
    {
        for (final Thread thread : threads)
        {
            thread.interrupt();
            thread.join(30_000);
        }
    }

    public void assertNoneFailed()
    {
        if (!unexpected.isEmpty())
        {
            final AssertionError error = new AssertionError(unexpected.size() + " application call(s) failed; the first: " +
                unexpected.get(0).getMessage(), unexpected.get(0));
            unexpected.stream().skip(1).limit(5).forEach(error::addSuppressed);
            throw error;
        }
    }
}
