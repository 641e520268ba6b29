package io.meshmq.cluster.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The life of a connection this node dials and keeps dialling (a core link, a backup's link to its live): connect on
 * the link's event loop, and after a refusal or a loss connect again with back-off (doubling from
 * {@value #FIRST_RETRY_MS} ms up to a maximum) until closed.
 * <p>
 * Not thread safe but for {@link #close()}: everything else runs on the link's event loop.
 */
final class Redial
{
    static final long FIRST_RETRY_MS = 100;

    private final EventLoopGroup loop;
    private final long maxRetryMs;
    private final Supplier<ChannelFuture> dial;
    private final Consumer<String> failed;
    private volatile boolean closed;
    private Channel channel;
    private long retryMs = FIRST_RETRY_MS;

    /**
     * @param dial   starts one connection attempt.
     * @param failed told why an attempt could not connect (a lost connection says why itself).
     */
    Redial(final EventLoopGroup loop, final long maxRetryMs, final Supplier<ChannelFuture> dial,
        final Consumer<String> failed)
    {
        this.loop = loop;
        this.maxRetryMs = maxRetryMs;
        this.dial = dial;
        this.failed = failed;
    }

    void start()
    {
        loop.execute(this::connect);
    }

    /**
     * Closes the connection and dials no more; from any thread.
     */
    void close()
    {
        closed = true;
        loop.execute(() ->
        {
            if (channel != null)
            {
                channel.close();
            }
        });
    }

    /**
     * Dials no more once the connection now open goes (the other end is this node, say).
     */
    void giveUp()
    {
        closed = true;
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * The connection is up: the next loss is retried after the shortest wait again.
     */
    void connected()
    {
        retryMs = FIRST_RETRY_MS;
    }

    /**
     * Connects again after the current wait, which doubles for the next time; nothing once closed.
     */
    void retry()
    {
        if (closed)
        {
            return;
        }
        final long delay = retryMs;
        retryMs = Math.min(maxRetryMs, retryMs * 2);
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void connect()
    {
        if (closed)
        {
            return;
        }
        final ChannelFuture connecting = dial.get();
        channel = connecting.channel();
        connecting.addListener(future ->
        {
            if (!future.isSuccess())
            {
                failed.accept("cannot connect: " + future.cause().getMessage());
                retry();
            }
        });
    }
}
