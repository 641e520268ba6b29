package io.meshmq.engine.net;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where logins that need a password hash checked run (PBKDF2: tens of milliseconds each), so a storm of first logins
 * does not stall the I/O threads every other client is served on. Half the processors, at least one; at most
 * {@value #MAX_WAITING} logins wait, beyond that a login is refused as the broker being busy.
 * <p>
 * Thread safe; shared by the brokers of a JVM.
 */
final class LoginHashing
{
    static final int MAX_WAITING = 10_000;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final int SIZE = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    static final Executor EXECUTOR = new ThreadPoolExecutor(SIZE, SIZE, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(MAX_WAITING), runnable ->
        {
            final Thread thread = new Thread(runnable, "meshmq-login-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });

    static
    {
        ((ThreadPoolExecutor)EXECUTOR).allowCoreThreadTimeOut(true);
    }

    private LoginHashing()
    {
    }
}
