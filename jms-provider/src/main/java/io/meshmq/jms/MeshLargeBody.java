package io.meshmq.jms;

import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientException;
import io.meshmq.client.LargeLease;
import io.meshmq.jms.message.LargeBodySource;
import jakarta.jms.JMSException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A received large message's body, read from its broker over the connection it came on: a stream keeps a few
 * LARGE_READs in flight ahead of what the application has read, so reading runs at the connection's speed while the
 * client holds at most {@link #READS_AHEAD} x {@link #READ_BYTES} of it.
 * <p>
 * Thread safe; each stream it opens belongs to one thread.
 */
final class MeshLargeBody implements LargeBodySource
{
    static final int READ_BYTES = 256 * 1024;
    static final int READS_AHEAD = 4;

    private final ClientConnection core;
    private final LargeLease lease;
    private final long length;

    MeshLargeBody(final ClientConnection core, final LargeLease lease, final long length)
    {
        this.core = core;
        this.lease = lease;
        this.length = length;
    }

    @Override
    public InputStream open() throws JMSException
    {
        if (lease.isDone())
        {
            throw new jakarta.jms.IllegalStateException("this large message's body is no longer readable: read it " +
                "before the message is acknowledged or the next one is received (or save it with " +
                io.meshmq.jms.message.MeshMessage.SAVE_STREAM + ")");
        }
        return new BodyStream();
    }

    @Override
    public void release()
    {
        core.largeDone(lease);
    }

    private final class BodyStream extends InputStream
    {
        private final ArrayDeque<CompletableFuture<byte[]>> ahead = new ArrayDeque<>();
        private long requested;
        private long delivered;
        private byte[] current = new byte[0];
        private int position;

        private void askAhead()
        {
            while (ahead.size() < READS_AHEAD && requested < length)
            {
                final int bytes = (int)Math.min(READ_BYTES, length - requested);
                ahead.add(core.readLarge(lease, requested, bytes));
                requested += bytes;
            }
        }

        /**
         * @return false at the end of the body.
         */
        private boolean fill() throws IOException
        {
            while (position >= current.length)
            {
                if (delivered >= length)
                {
                    return false;
                }
                askAhead();
                current = await(ahead.poll());
                position = 0;
                if (current.length == 0)
                {
                    throw new IOException("the broker's copy of this large message's body ends after " + delivered +
                        " of its " + length + " bytes");
                }
                delivered += current.length;
            }
            return true;
        }

        private byte[] await(final CompletableFuture<byte[]> read) throws IOException
        {
            final long timeoutMs = core.url().callTimeoutMs();
            try
            {
                return read.get(timeoutMs, TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException ex)
            {
                final Throwable cause = ex.getCause();
                final JMSException jms = cause instanceof ClientException client ? JmsExceptions.from(client) :
                    new JMSException(String.valueOf(cause));
                throw new IOException(jms.getMessage(), jms);
            }
            catch (final TimeoutException ex)
            {
                throw new IOException("the broker did not send a part of this large message's body within " +
                    timeoutMs + " ms");
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading a large message's body");
            }
        }

        @Override
        public int read() throws IOException
        {
            return fill() ? current[position++] & 0xff : -1;
        }

        @Override
        public int read(final byte[] into, final int offset, final int bytes) throws IOException
        {
            if (bytes == 0)
            {
                return 0;
            }
            if (!fill())
            {
                return -1;
            }
            final int n = Math.min(bytes, current.length - position);
            System.arraycopy(current, position, into, offset, n);
            position += n;
            return n;
        }

        @Override
        public int available()
        {
            return current.length - position;
        }
    }
}
