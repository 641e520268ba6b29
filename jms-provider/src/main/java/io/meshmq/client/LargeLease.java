package io.meshmq.client;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One delivery of a large message's body: the client may read the body from its broker until it says it is done
 * (LARGE_DONE, once) or the connection it came on is lost.
 * <p>
 * Thread safe.
 */
public final class LargeLease
{
    private final long bodyId;
    private final int link;
    private final AtomicBoolean done = new AtomicBoolean();

    LargeLease(final long bodyId, final int link)
    {
        this.bodyId = bodyId;
        this.link = link;
    }

    public long bodyId()
    {
        return bodyId;
    }

    /**
     * @return the number of the connection to a broker it came on.
     */
    public int link()
    {
        return link;
    }

    public boolean isDone()
    {
        return done.get();
    }

    /**
     * @return true the first time only.
     */
    boolean markDone()
    {
        return done.compareAndSet(false, true);
    }
}
