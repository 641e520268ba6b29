package io.meshmq.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A data directory held with an exclusive file lock, so two processes (or two brokers in one JVM) never share one:
 * a broker's, or a backup's or HA node's with a lock file of its own.
 */
public final class DataDirectory implements AutoCloseable
{
    static final String LOCK_FILE = "broker.lock";

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectory(final Path path, final FileChannel channel, final FileLock lock)
    {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirectory open(final Path path) throws BrokerStartException
    {
        return lock(path, LOCK_FILE, "broker");
    }

    /**
     * @param lockFile the file in it that is locked.
     * @param holder   what holds it, for the message when another does ("broker", "backup").
     * @throws BrokerStartException if it cannot be made or locked, or another holds it.
     */
    public static DataDirectory lock(final Path path, final String lockFile, final String holder)
        throws BrokerStartException
    {
        try
        {
            Files.createDirectories(path);
        }
        catch (final IOException ex)
        {
            throw new BrokerStartException("cannot create data directory " + path.toAbsolutePath() + ": " + ex, ex);
        }
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(path.resolve(lockFile), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (lock == null)
            {
                channel.close();
                throw new BrokerStartException("data directory " + path.toAbsolutePath() +
                    " is in use by another " + holder + "; give each " + holder + " its own with --data DIR");
            }
            return new DataDirectory(path, channel, lock);
        }
        catch (final OverlappingFileLockException ex)
        {
            closeQuietly(channel);
            throw new BrokerStartException("data directory " + path.toAbsolutePath() +
                " is in use by another " + holder + " in this JVM; give each " + holder + " its own with --data DIR");
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new BrokerStartException("cannot lock data directory " + path.toAbsolutePath() + ": " + ex, ex);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to release
            }
        }
    }

    Path path()
    {
        return path;
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // the lock goes with the channel below
        }
        closeQuietly(channel);
    }
}
