package io.meshmq.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per data directory: a lock on a file in it, held until closed (or the process dies).
 */
final class DirectoryLock implements AutoCloseable
{
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @throws IOException if the directory cannot be made or another process holds it.
     */
    static DirectoryLock take(final Path dataDir, final String file) throws IOException
    {
        Files.createDirectories(dataDir);
        final FileChannel channel = FileChannel.open(dataDir.resolve(file), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        final FileLock lock = channel.tryLock();
        if (lock == null)
        {
            channel.close();
            throw new IOException("data directory " + dataDir.toAbsolutePath() + " is in use by another process");
        }
        return new DirectoryLock(channel, lock);
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the process is going away
        }
    }
}
