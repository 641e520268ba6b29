package io.meshmq.tck.large;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Bodies large tests send and check: a stream of any length whose bytes follow from their position (made as read, never
 * held), and a sink that keeps only a length and a checksum.
 */
public final class Bodies
{
    private static final long DEADLINE_MS = 30_000;

    private Bodies()
    {
    }

    /**
     * @return how many large bodies the broker with this data directory holds.
     */
    public static long files(final Path data) throws IOException
    {
        final Path large = data.resolve("large");
        if (!Files.isDirectory(large))
        {
            return 0;
        }
        try (Stream<Path> files = Files.list(large))
        {
            return files.count();
        }
    }

    /**
     * Waits until the broker with this data directory holds no large body.
     */
    public static void awaitNone(final Path data) throws IOException, InterruptedException
    {
        await(data, count -> count == 0, "no large body");
    }

    /**
     * Waits until the number of large bodies the broker with this data directory holds is as {@code wanted} says.
     */
    public static void await(final Path data, final LongPredicate wanted, final String what)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!wanted.test(files(data)))
        {
            if (System.nanoTime() >= deadline)
            {
                throw new AssertionError("waited for " + what + ", but " + files(data) + " large bodies are on disk " +
                    "in " + data);
            }
            Thread.sleep(10);
        }
    }

    static byte at(final long position)
    {
        return (byte)(position * 31 + (position >>> 11) + (position >>> 23));
    }

    /**
     * @return the checksum of the first {@code length} bytes {@link #stream} gives.
     */
    public static long checksum(final long length)
    {
        final Sink sink = new Sink();
        try (InputStream in = stream(length))
        {
            in.transferTo(sink);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return sink.checksum();
    }

    public static byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = at(i);
        }
        return bytes;
    }

    public static InputStream stream(final long length)
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
    public static final class Sink extends OutputStream
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

        public long length()
        {
            return length;
        }

        public long checksum()
        {
            return crc.getValue();
        }
    }
}
