package io.meshmq.engine.mirror;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The mirror the journal and the page files are given at start, which a replica joins and leaves while the broker
 * runs: changes go to the configured mirror (none, normally) until a replica is {@link #attach attached}, then to it.
 * <p>
 * Not thread safe: attached and detached on the processor thread, which makes every change it is told of after start;
 * {@link #bodies()} is read on the threads that force large bodies.
 */
public final class SwitchableMirror implements DataMirror
{
    private final DataMirror configured;
    private DataMirror current;
    /** Where bodies go: set with {@link #current}, read on other threads. */
    private volatile BodyMirror bodies;

    public SwitchableMirror(final DataMirror configured)
    {
        this.configured = configured;
        this.current = configured;
        this.bodies = configured.bodies();
    }

    /**
     * From now on every change goes to {@code replica}, and every body forced from now on.
     */
    public void attach(final DataMirror replica)
    {
        current = replica;
        bodies = replica.bodies();
    }

    /**
     * The replica is gone: changes go where they went before it came.
     */
    public void detach()
    {
        current = configured;
        bodies = configured.bodies();
    }

    @Override
    public void written(final Path file, final long position, final ByteBuffer bytes)
    {
        current.written(file, position, bytes);
    }

    @Override
    public void zeroed(final Path file, final long from, final long to)
    {
        current.zeroed(file, from, to);
    }

    @Override
    public void truncated(final Path file, final long size)
    {
        current.truncated(file, size);
    }

    @Override
    public void replaced(final Path file, final byte[] content)
    {
        current.replaced(file, content);
    }

    @Override
    public void moved(final Path from, final Path to)
    {
        current.moved(from, to);
    }

    @Override
    public void deleted(final Path file)
    {
        current.deleted(file);
    }

    @Override
    public long forced()
    {
        return current.forced();
    }

    @Override
    public BodyMirror bodies()
    {
        return bodies;
    }
}
