package io.meshmq.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs submitted tasks one at a time, in order, on threads borrowed from a shared pool: how a session
 * gets the single delivery thread the specification asks for without one idle thread per session.
 * Thread safe.
 */
public final class SerialExecutor implements Executor
{
    private static final ExecutorService POOL = Executors.newCachedThreadPool(new DaemonThreads());

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;
    private volatile Thread current;

    @Override
    public void execute(final Runnable task)
    {
        synchronized (tasks)
        {
            tasks.addLast(task);
            if (running)
            {
                return;
            }
            running = true;
        }
        POOL.execute(this::drain);
    }

    /**
     * @return true when called from a task of this executor.
     */
    public boolean inExecutor()
    {
        return current == Thread.currentThread();
    }

    private void drain()
    {
        current = Thread.currentThread();
        while (true)
        {
            final Runnable task;
            synchronized (tasks)
            {
                task = tasks.pollFirst();
                if (task == null)
                {
                    current = null;
                    running = false;
                    return;
                }
            }
            try
            {
                task.run();
            }
            catch (final RuntimeException | Error ex)
            {
                // A listener's exception must not end the session's delivery; the JMS layer already
                // handled what the specification asks for, so this is only a last resort.
                System.err.println("meshmq: task failed on session thread: " + ex);
            }
        }
    }

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory
    {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(final Runnable r)
        {
            final Thread t = new Thread(r, "meshmq-session-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
