package io.meshmq.engine.net;

import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.large.LargeUpload;
import io.meshmq.protocol.BrokerEventEncoder;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;

/**
 * One connection's large bodies in flight: uploads it is sending (LARGE_CHUNK), which the message naming each
 * finishes, and the bodies it reads (LARGE_READ), each file opened once and closed when the client is done with it.
 * <p>
 * Not thread safe: the connection's I/O thread only.
 */
final class LargeTransfers
{
    /** Uploads a connection may have begun and not named in a message: each holds a file open. */
    static final int MAX_OPEN_UPLOADS = 256;
    private static final int REPLY_HEADER = FrameDescriptor.LENGTH_FIELD_LENGTH + 1 + Long.BYTES;

    private final LargeStore store;
    private final ChannelConnection connection;
    private final Long2ObjectHashMap<LargeUpload> uploads = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<FileChannel> reading = new Long2ObjectHashMap<>();

    LargeTransfers(final LargeStore store, final ChannelConnection connection)
    {
        this.store = store;
        this.connection = connection;
    }

    /**
     * Appends a LARGE_CHUNK's bytes to its upload, begun by its first chunk.
     *
     * @throws ProtocolException if the broker takes no large messages, or the client has too many uploads open.
     */
    void chunk(final long uploadId, final ByteBuf bytes)
    {
        LargeUpload upload = uploads.get(uploadId);
        if (upload == null)
        {
            if (store == null || !store.takesUploads())
            {
                throw new ProtocolException("this broker takes no large messages (large-message-threshold 0): " +
                    "send bodies whole");
            }
            if (uploads.size() >= MAX_OPEN_UPLOADS)
            {
                throw new ProtocolException("more than " + MAX_OPEN_UPLOADS + " large message bodies sent and not " +
                    "named by a message on one connection");
            }
            try
            {
                upload = store.begin();
            }
            catch (final IOException ex)
            {
                upload = LargeUpload.failed(store, "cannot make a file for it in " + store.directory() + ": " + ex);
            }
            uploads.put(uploadId, upload);
        }
        upload.append(bytes);
    }

    void cancel(final long uploadId)
    {
        final LargeUpload upload = uploads.remove(uploadId);
        if (upload != null)
        {
            upload.cancel();
        }
    }

    /**
     * The upload a message names, or why it has none.
     *
     * @param upload  checked (sent on this connection, whole) and no longer among the connection's uploads: the caller
     *                finishes it, or cancels it.
     * @param refusal why the message cannot be taken (its body is deleted then); null when {@code upload} is set.
     */
    record Named(LargeUpload upload, String refusal)
    {
    }

    /**
     * A message that arrived on this connection: if it is flagged large, finishes the upload it names (forcing it
     * when the message is persistent) and makes it name the stored body instead.
     *
     * @return null, or why the message cannot be taken (its body is deleted then).
     */
    String claim(final byte[] message)
    {
        if (!LargeBodyDescriptor.isLarge(message))
        {
            return null;
        }
        final Named named = name(message);
        return named.refusal() != null ? named.refusal() : finish(named.upload(), message);
    }

    /**
     * @return true if the message is large and persistent: its body is forced before it goes on, best off the I/O
     * thread ({@link #name}, then {@link #finish} on another thread).
     */
    static boolean needsForce(final byte[] message)
    {
        return LargeBodyDescriptor.isLarge(message) &&
            message[MessageDescriptor.DELIVERY_MODE_OFFSET] == MessageDescriptor.PERSISTENT;
    }

    /**
     * @return the upload a large message names, taken off this connection's uploads; or why it cannot be taken.
     */
    Named name(final byte[] message)
    {
        final long uploadId = LargeBodyDescriptor.bodyId(message);
        final LargeUpload upload = uploads.remove(uploadId);
        if (upload == null)
        {
            return new Named(null, "no large message body " + uploadId + " was sent on this connection (its chunks " +
                "went to a connection that was lost?)");
        }
        if (upload.length() != LargeBodyDescriptor.length(message))
        {
            upload.cancel();
            return new Named(null, "the large message says its body is " + LargeBodyDescriptor.length(message) +
                " bytes, but " + upload.length() + " were sent");
        }
        return new Named(upload, null);
    }

    /**
     * Ends a named upload, forced if the message is persistent, and makes the message name the stored body. Any
     * thread: the upload is no longer the connection's.
     *
     * @return null, or why the message cannot be taken (its body is deleted then).
     */
    static String finish(final LargeUpload upload, final byte[] message)
    {
        final String failure = upload.finish(message[MessageDescriptor.DELIVERY_MODE_OFFSET] ==
            MessageDescriptor.PERSISTENT);
        if (failure != null)
        {
            return "large message body not stored: " + failure;
        }
        LargeBodyDescriptor.rewriteBodyId(message, upload.bodyId());
        return null;
    }

    /**
     * Deletes the upload a message names that will not be claimed (another message of its transaction was refused).
     */
    void cancelNamed(final byte[] message)
    {
        if (LargeBodyDescriptor.isLarge(message))
        {
            cancel(LargeBodyDescriptor.bodyId(message));
        }
    }

    /**
     * Another node's upload is a whole body to keep for the forward that will name it (LARGE_STAGE): the upload,
     * taken off this connection's, to be forced ({@link LargeUpload#finish}, any thread) and then {@link #staged}.
     */
    Named nameStaged(final long uploadId, final long length)
    {
        final LargeUpload upload = uploads.remove(uploadId);
        if (upload == null)
        {
            return new Named(null, "no large message body " + uploadId + " was sent on this connection");
        }
        if (upload.length() != length)
        {
            upload.cancel();
            return new Named(null, "the body to keep is " + length + " bytes, but " + upload.length() + " were sent");
        }
        return new Named(upload, null);
    }

    /**
     * A staged upload is forced: it is kept for the forward that will name it.
     */
    void staged(final long uploadId, final LargeUpload upload)
    {
        store.stage(uploadId, upload.bodyId());
    }

    /**
     * Takes back what {@link #claim} did for messages that will not reach the processor after all.
     */
    void unclaim(final byte[] message)
    {
        if (store != null && LargeBodyDescriptor.isLarge(message))
        {
            store.delete(LargeBodyDescriptor.bodyId(message));
        }
    }

    /**
     * Answers a LARGE_READ with a REPLY holding up to {@code length} bytes of the body from {@code position} (none at
     * its end), or an ERROR.
     */
    void read(final ChannelHandlerContext ctx, final long correlationId, final long bodyId, final long position,
        final int length)
    {
        if (position < 0 || length < 1 || length > FrameDescriptor.MAX_LARGE_READ)
        {
            throw new ProtocolException("LARGE_READ of " + length + " bytes at " + position + ": the length must be 1-" +
                FrameDescriptor.MAX_LARGE_READ + " and the position not negative");
        }
        if (!connection.isLent(bodyId))
        {
            error(ctx, correlationId, ErrorCode.ILLEGAL_STATE, "large message body " + bodyId + " is not delivered " +
                "on this connection (or the client said it is done with it)");
            return;
        }
        final ByteBuf reply = ctx.alloc().ioBuffer(REPLY_HEADER + length);
        try
        {
            FileChannel file = reading.get(bodyId);
            if (file == null)
            {
                file = store.openForReading(bodyId);
                reading.put(bodyId, file);
            }
            reply.writeIntLE(0).writeByte(FrameType.REPLY).writeLongLE(correlationId);
            int read = 0;
            while (read < length)
            {
                final int n = reply.writeBytes(file, position + read, length - read);
                if (n <= 0)
                {
                    break;
                }
                read += n;
            }
            reply.setIntLE(0, reply.writerIndex() - FrameDescriptor.LENGTH_FIELD_LENGTH);
            ctx.writeAndFlush(reply, ctx.voidPromise());
        }
        catch (final NoSuchFileException ex)
        {
            reply.release();
            error(ctx, correlationId, ErrorCode.STORAGE, "the body of this large message is missing from the broker (" +
                store.path(bodyId) + ")");
        }
        catch (final IOException ex)
        {
            reply.release();
            error(ctx, correlationId, ErrorCode.STORAGE, "cannot read the body of this large message: " + ex);
        }
    }

    /**
     * The client is done with one delivery of the body.
     *
     * @return true if it had one (the processor is to hear of it).
     */
    boolean done(final long bodyId)
    {
        if (!connection.giveBack(bodyId))
        {
            return false;
        }
        if (!connection.isLent(bodyId))
        {
            closeQuietly(reading.remove(bodyId));
        }
        return true;
    }

    /**
     * The connection closed: uploads never named are deleted, bodies being read are closed.
     */
    void close()
    {
        uploads.values().forEach(LargeUpload::cancel);
        uploads.clear();
        reading.values().forEach(LargeTransfers::closeQuietly);
        reading.clear();
    }

    private void error(final ChannelHandlerContext ctx, final long correlationId, final int code, final String message)
    {
        final WireWriter out = new WireWriter(128 + message.length() * 3);
        BrokerEventEncoder.error(out, correlationId, code, message);
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), out), ctx.voidPromise());
    }

    private static void closeQuietly(final FileChannel file)
    {
        if (file != null)
        {
            try
            {
                file.close();
            }
            catch (final IOException ignored)
            {
                // Only read from: nothing is lost.
            }
        }
    }
}
