package io.meshmq.tck.large;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;

/**
 * Bodies large tests send and check: a stream of any length whose bytes follow from their position (made as read, never
 * held), and a sink that keeps only a length and a checksum.
 */
final class Bodies
{
    private Bodies()
    {
    }

    static byte at(final long position)
    {
        return (byte)(position * 31 + (position >>> 11) + (position >>> 23));
    }

    /**
     * @return the checksum of the first {@code length} bytes {@link #stream} gives.
     */
    static long checksum(final long length)
    {
        final Sink sink = new Sink();
        try (InputStream in = stream(length))
        {
            in.transferTo(sink);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        return sink.checksum();
    }

    static byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = at(i);
        }
        return bytes;
    }

    static InputStream stream(final long length)
    {
        return new InputStream()
        {
            private long position;

            @Override
            public int read()
            {
                return position < length ? at(position++) & 0xff : -1;
            }

            @Override
            public int read(final byte[] into, final int offset, final int bytes)
            {
                if (position >= length)
                {
                    return -1;
                }
                final int n = (int)Math.min(bytes, length - position);
                for (int i = 0; i < n; i++)
                {
                    into[offset + i] = at(position++);
                }
                return n;
            }
        };
    }

    /**
     * Counts and checksums what is written to it.
     */
    static final class Sink extends OutputStream
    {
        private final CRC32 crc = new CRC32();
        private long length;

        @Override
        public void write(final int b)
        {
            crc.update(b);
            length++;
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int count)
        {
            crc.update(bytes, offset, count);
            length += count;
        }

        long length()
        {
            return length;
        }

        long checksum()
        {
            return crc.getValue();
        }
    }
}
