package io.meshmq.engine.large;

import io.meshmq.engine.mirror.BodyMirror;
import io.meshmq.engine.mirror.DataMirror;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The directory of large message bodies: one file per body, named by its id in hex. Ids are random, so a body made
 * before a restart is never confused with one made after.
 * <p>
 * Thread safe: I/O threads make and read bodies, the processor deletes them.
 */
public final class LargeStore
{
    /** The default threshold: bodies above 100 KiB are large. */
    public static final int DEFAULT_THRESHOLD = 100 * 1024;
    private static final String SUFFIX = ".body";
    private static final System.Logger LOG = System.getLogger(LargeStore.class.getName());

    private final Path directory;
    private final int threshold;
    /** Where forced bodies are copied before their message goes on: the replica, when there is one. */
    private final DataMirror mirror;
    /** Bodies other nodes staged here (LARGE_STAGE), by their upload id, until the forward naming one claims it. */
    private final ConcurrentHashMap<Long, Long> staged = new ConcurrentHashMap<>();

    /**
     * @param threshold bytes of body above which clients send a body as a large message; 0: no new large messages are
     *                  taken (those stored before are still served).
     */
    public LargeStore(final Path directory, final int threshold)
    {
        this(directory, threshold, DataMirror.NONE);
    }

    /**
     * @param mirror where every forced body is copied ({@link DataMirror#bodies()}, asked afresh for each body).
     */
    public LargeStore(final Path directory, final int threshold, final DataMirror mirror)
    {
        if (threshold < 0)
        {
            throw new IllegalArgumentException("large-message-threshold must not be negative, not " + threshold);
        }
        this.directory = directory.toAbsolutePath().normalize();
        this.threshold = threshold;
        this.mirror = mirror;
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @return what clients are told: bodies above it go as large messages; 0 for none.
     */
    public int threshold()
    {
        return threshold;
    }

    public boolean takesUploads()
    {
        return threshold > 0;
    }

    public Path path(final long bodyId)
    {
        return directory.resolve(String.format("%016x", bodyId) + SUFFIX);
    }

    /**
     * Makes a new, empty body file.
     */
    public LargeUpload begin() throws IOException
    {
        Files.createDirectories(directory);
        while (true)
        {
            final long id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
            if (id == 0)
            {
                continue;
            }
            try
            {
                return new LargeUpload(this, id, FileChannel.open(path(id), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE));
            }
            catch (final FileAlreadyExistsException taken)
            {
                // Another body has that id: draw again.
            }
        }
    }

    /**
     * Copies a body, whole and forced here, to the mirror (the replica), before the message naming it goes on. A
     * replica that attaches meanwhile lists the bodies directory to copy it, perhaps while this body was still being
     * written: so the body goes again to each mirror that comes until the mirror stays the same, and any replica
     * attached later lists it whole.
     *
     * @return null, or why it cannot be copied (the message naming it is refused).
     */
    String mirror(final long bodyId)
    {
        BodyMirror copiedTo = null;
        for (BodyMirror to = mirror.bodies(); to != copiedTo; to = mirror.bodies())
        {
            final String failure = to.copy(path(bodyId));
            if (failure != null)
            {
                return failure;
            }
            copiedTo = to;
        }
        return null;
    }

    /**
     * Another node staged a body here, whole and forced, for a forward that will name it by {@code uploadId}; a body
     * staged before under that id (the other node staged it again after a lost link) is deleted.
     */
    public void stage(final long uploadId, final long bodyId)
    {
        final Long before = staged.put(uploadId, bodyId);
        if (before != null && before != bodyId)
        {
            delete(before);
        }
    }

    /**
     * @return the body staged for {@code uploadId}, taken out of staging (the caller owns it now); 0 for none.
     */
    public long claimStaged(final long uploadId)
    {
        final Long bodyId = staged.remove(uploadId);
        return bodyId == null ? 0 : bodyId;
    }

    /**
     * @throws java.nio.file.NoSuchFileException if there is no such body.
     */
    public FileChannel openForReading(final long bodyId) throws IOException
    {
        return FileChannel.open(path(bodyId), StandardOpenOption.READ);
    }

    /**
     * Deletes a body; readers that opened it before read on (POSIX keeps an unlinked file while it is open).
     */
    public void delete(final long bodyId)
    {
        try
        {
            Files.deleteIfExists(path(bodyId));
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot delete large message body " + path(bodyId) + ": " + ex);
        }
    }

    /**
     * Puts the directory's entries on disk: a body made since is found after a crash.
     */
    void forceDirectory() throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
        catch (final IOException ex)
        {
            // Some file systems cannot open a directory to force it; the file's own force is all there is then.
            if (!Files.isDirectory(directory))
            {
                throw ex;
            }
        }
    }

    /**
     * @return the ids of every body on disk (at start-up: those no message names are then deleted).
     */
    public List<Long> stored() throws IOException
    {
        final List<Long> ids = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return ids;
        }
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = file.getFileName().toString();
                if (!name.endsWith(SUFFIX))
                {
                    continue;
                }
                try
                {
                    ids.add(Long.parseUnsignedLong(name.substring(0, name.length() - SUFFIX.length()), 16));
                }
                catch (final NumberFormatException ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "ignored " + file + ": not a large message body's name");
                }
            }
        }
        return ids;
    }

    @Override
    public String toString()
    {
        return "large message bodies in " + directory;
    }
}
