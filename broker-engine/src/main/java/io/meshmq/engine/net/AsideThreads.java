package io.meshmq.engine.net;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for the slow work a connection's I/O thread hands aside (it waits for none of it): a bounded queue, so a
 * caller sees {@link java.util.concurrent.RejectedExecutionException} rather than work piling up; daemon threads that
 * end after a minute idle.
 */
final class AsideThreads
{
    private AsideThreads()
    {
    }

    /**
     * @param name    the threads' name, numbered.
     * @param threads how many run at once.
     * @param waiting how many may wait.
     */
    static Executor pool(final String name, final int threads, final int waiting)
    {
        final AtomicInteger made = new AtomicInteger();
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(waiting), runnable ->
            {
                final Thread thread = new Thread(runnable, name + "-" + made.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
