package io.meshmq.engine.ring;

import com.lmax.disruptor.EventTranslator;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.RingBuffer;
import io.meshmq.engine.net.ChannelConnection;
import io.netty.channel.Channel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How an extension's own threads (the cluster's event loop) reach the processor: its commands go into the ring, so
 * the processor stays the only writer of the state they change.
 * <p>
 * Thread safe: called from any thread.
 */
public final class ExtensionInput
{
    private static final EventTranslator<EngineEvent> WRITABLE = (event, sequence) ->
    {
        event.clear();
        event.type = EngineEvent.WRITABLE;
    };
    private static final EventTranslatorOneArg<EngineEvent, ExtensionCommand> EXTENSION = (event, sequence, command) ->
    {
        event.clear();
        event.type = EngineEvent.EXTENSION;
        event.correlationId = command.correlationId();
        event.command = command;
    };

    private final RingBuffer<EngineEvent> ring;
    private final AtomicLong connectionIds;

    public ExtensionInput(final RingBuffer<EngineEvent> ring, final AtomicLong connectionIds)
    {
        this.ring = ring;
        this.connectionIds = connectionIds;
    }

    public void publish(final ExtensionCommand command)
    {
        ring.publishEvent(EXTENSION, command);
    }

    /**
     * A connection that was backed up can take data again: queues waiting for it are looked at.
     */
    public void writable()
    {
        ring.publishEvent(WRITABLE);
    }

    /**
     * @return where the processor writes frames for a connection the extension opened itself.
     */
    public ConnectionOutput output(final Channel channel)
    {
        // Another node of the cluster: what it is sent is bounded by the link's window, not by this.
        return new ChannelConnection(connectionIds.incrementAndGet(), channel, Long.MAX_VALUE);
    }
}
