package io.meshmq.engine.large;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A body being received: LARGE_CHUNKs are appended as they arrive; the message that names it finishes it (forced to
 * disk first when persistent), or it is deleted if its connection closes first or the client cancels it. A write that
 * fails deletes what was written and is remembered, so the message that names the body is refused with the reason.
 * <p>
 * Not thread safe: owned by its connection's I/O thread.
 */
public final class LargeUpload
{
    private final LargeStore store;
    private final long bodyId;
    private FileChannel file;
    private long length;
    private String failure;

    LargeUpload(final LargeStore store, final long bodyId, final FileChannel file)
    {
        this.store = store;
        this.bodyId = bodyId;
        this.file = file;
    }

    /**
     * An upload whose file could not be made: its chunks are dropped, and the message naming it refused with why.
     */
    public static LargeUpload failed(final LargeStore store, final String reason)
    {
        final LargeUpload upload = new LargeUpload(store, 0, null);
        upload.failure = reason;
        return upload;
    }

    public long bodyId()
    {
        return bodyId;
    }

    public long length()
    {
        return length;
    }

    /**
     * @return why the body could not be stored, or null.
     */
    public String failure()
    {
        return failure;
    }

    /**
     * Appends the readable bytes of {@code chunk} (not released here).
     */
    public void append(final ByteBuf chunk)
    {
        if (failure != null)
        {
            return;
        }
        try
        {
            final int bytes = chunk.readableBytes();
            int written = 0;
            while (written < bytes)
            {
                written += chunk.getBytes(chunk.readerIndex() + written, file, length + written, bytes - written);
            }
            length += bytes;
        }
        catch (final IOException ex)
        {
            fail("cannot write " + store.path(bodyId) + ": " + ex.getMessage());
        }
    }

    /**
     * Ends the upload: the body is whole.
     *
     * @param force put it on disk, and on the replica if there is one, before returning (the message is persistent).
     * @return null, or why the body is not stored (it is deleted then).
     */
    public String finish(final boolean force)
    {
        if (failure != null)
        {
            return failure;
        }
        try
        {
            if (force)
            {
                file.force(true);
                store.forceDirectory();
            }
            file.close();
            file = null;
            final String notMirrored = force ? store.mirror(bodyId) : null;
            if (notMirrored != null)
            {
                fail(notMirrored);
            }
            return notMirrored;
        }
        catch (final IOException ex)
        {
            fail("cannot put " + store.path(bodyId) + " on disk: " + ex.getMessage());
            return failure;
        }
    }

    /**
     * The body will not be named by a message: it is deleted.
     */
    public void cancel()
    {
        close();
        if (bodyId != 0)
        {
            store.delete(bodyId);
        }
    }

    private void fail(final String reason)
    {
        failure = reason;
        cancel();
    }

    private void close()
    {
        if (file != null)
        {
            try
            {
                file.close();
            }
            catch (final IOException ignored)
            {
                // Deleted next: nothing to keep.
            }
            file = null;
        }
    }
}
