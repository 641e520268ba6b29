package io.meshmq.engine.net;

import java.util.concurrent.Executor;

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
    private static final int SIZE = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    static final Executor EXECUTOR = AsideThreads.pool("meshmq-login", SIZE, MAX_WAITING);

    private LoginHashing()
    {
    }
}
