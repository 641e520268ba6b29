package io.meshmq.engine.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * A file channel whose writes and forces fail with "No space left on device" while {@code full} says so:
 * a full disk, injected.
 */
public final class FailingFileChannel extends FileChannel
{
    private final FileChannel delegate;
    private final BooleanSupplier full;
    private final BooleanSupplier failForce;
    /** Only writes that need new space fail, as on a real full disk: blocks a file has may be overwritten. */
    private final boolean onlyGrowth;

    private FailingFileChannel(final FileChannel delegate, final BooleanSupplier full, final BooleanSupplier failForce,
        final boolean onlyGrowth)
    {
        this.delegate = delegate;
        this.full = full;
        this.failForce = failForce;
        this.onlyGrowth = onlyGrowth;
    }

    /**
     * @return an opener whose files cannot grow while {@code full} says so: what they have may still be written.
     */
    public static Journal.FileOpener growthFails(final BooleanSupplier full)
    {
        return (final Path path, final OpenOption... options) ->
            new FailingFileChannel(FileChannel.open(path, options), full, () -> false, true);
    }

    /**
     * @return an opener for {@link Journal#open(Path, int, boolean, Journal.FileOpener)}.
     */
    public static Journal.FileOpener opener(final BooleanSupplier full)
    {
        return opener(full, full);
    }

    /**
     * @param failForce when forces fail (with writes still taken): a disk losing written pages.
     */
    public static Journal.FileOpener opener(final BooleanSupplier full, final BooleanSupplier failForce)
    {
        return (final Path path, final OpenOption... options) ->
            new FailingFileChannel(FileChannel.open(path, options), full, failForce, false);
    }

    private void check(final long end) throws IOException
    {
        if (full.getAsBoolean() && (!onlyGrowth || end > delegate.size()))
        {
            throw new IOException("No space left on device");
        }
    }

    @Override
    public int write(final ByteBuffer src, final long position) throws IOException
    {
        check(position + src.remaining());
        return delegate.write(src, position);
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        check(delegate.position() + src.remaining());
        return delegate.write(src);
    }

    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
    {
        check(Long.MAX_VALUE);
        return delegate.write(srcs, offset, length);
    }

    @Override
    public void force(final boolean metaData) throws IOException
    {
        if (failForce.getAsBoolean())
        {
            throw new IOException("Input/output error");
        }
        delegate.force(metaData);
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        return delegate.read(dst);
    }

    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException
    {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(final ByteBuffer dst, final long position) throws IOException
    {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException
    {
        return delegate.position();
    }

    @Override
    public FileChannel position(final long newPosition) throws IOException
    {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException
    {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(final long size) throws IOException
    {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(final long position, final long count, final WritableByteChannel target) throws IOException
    {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(final ReadableByteChannel src, final long position, final long count) throws IOException
    {
        check(position + count);
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(final MapMode mode, final long position, final long size) throws IOException
    {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(final long position, final long size, final boolean shared) throws IOException
    {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(final long position, final long size, final boolean shared) throws IOException
    {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException
    {
        delegate.close();
    }
}
