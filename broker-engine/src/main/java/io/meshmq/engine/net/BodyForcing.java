package io.meshmq.engine.net;

import java.util.concurrent.Executor;

/**
 * Where a large message's body is put on disk (a force of up to gigabytes: hundreds of milliseconds) before the
 * message that names it goes on, so that the I/O thread the body came in on goes on serving the other connections it
 * carries meanwhile. Two threads (forces wait on the disk, not the CPU); at most {@value #MAX_WAITING} wait, beyond
 * that a body is forced on its I/O thread as before.
 * <p>
 * Thread safe; shared by the brokers of a JVM.
 */
final class BodyForcing
{
    static final int MAX_WAITING = 1_000;
    static final Executor EXECUTOR = AsideThreads.pool("meshmq-body-force", 2, MAX_WAITING);

    private BodyForcing()
    {
    }
}
