package io.meshmq.engine.mirror;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Makes the changes described to it in another directory: {@code target} ends up holding what {@code source} holds,
 * file for file, and {@link #forced()} puts what it holds on disk (the files written since the last force, and the
 * directories whose entries changed). Each change may be made twice (a replica catching up over a copy it took while
 * the live went on): writes land at their positions, a move whose file is already at its target and a deletion of
 * nothing do nothing.
 * <p>
 * Thread safe. A change that cannot be made throws {@link UncheckedIOException} naming the file: the copy is then not
 * to be trusted.
 */
public final class DirectoryMirror implements DataMirror, AutoCloseable
{
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);
    /** Files kept open past a force: beyond it all are closed then (large bodies are written once, never again). */
    static final int MAX_OPEN_FILES = 64;
    private static final int BODY_SLICE = 256 * 1024;

    private final Path source;
    private final Path target;
    private final Map<Path, FileChannel> open = new HashMap<>();
    private final Set<Path> unforcedFiles = new LinkedHashSet<>();
    private final Set<Path> unforcedDirectories = new LinkedHashSet<>();
    private long marks;
    /** One instance, so that a caller can tell it has copied a body here already. */
    private final BodyMirror bodies = this::copyBody;

    /**
     * @param source the directory whose changes are described (paths given are under it).
     * @param target where they are made.
     */
    public DirectoryMirror(final Path source, final Path target)
    {
        this.source = source.toAbsolutePath().normalize();
        this.target = target.toAbsolutePath().normalize();
    }

    /**
     * @return where {@code file} of the source is in the target.
     * @throws IllegalArgumentException if it is not under the source.
     */
    public Path targetOf(final Path file)
    {
        final Path absolute = file.toAbsolutePath().normalize();
        if (!absolute.startsWith(source))
        {
            throw new IllegalArgumentException(file + " is not under the mirrored directory " + source);
        }
        return target.resolve(source.relativize(absolute).toString());
    }

    @Override
    public synchronized void written(final Path file, final long position, final ByteBuffer bytes)
    {
        final Path at = targetOf(file);
        try
        {
            writeFully(channel(at), bytes.duplicate(), position);
        }
        catch (final IOException ex)
        {
            throw failed("write to", at, ex);
        }
    }

    @Override
    public synchronized void zeroed(final Path file, final long from, final long to)
    {
        final Path at = targetOf(file);
        try
        {
            final FileChannel channel = channel(at);
            for (long position = from; position < to; )
            {
                final ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int)Math.min(zeros.capacity(), to - position));
                position += writeFully(channel, zeros, position);
            }
        }
        catch (final IOException ex)
        {
            throw failed("zero", at, ex);
        }
    }

    @Override
    public synchronized void truncated(final Path file, final long size)
    {
        final Path at = targetOf(file);
        try
        {
            channel(at).truncate(size);
        }
        catch (final IOException ex)
        {
            throw failed("truncate", at, ex);
        }
    }

    @Override
    public synchronized void replaced(final Path file, final byte[] content)
    {
        final Path at = targetOf(file);
        final Path temporary = at.resolveSibling(at.getFileName() + ".mirror.tmp");
        try
        {
            closeChannel(at);
            Files.createDirectories(at.getParent());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                writeFully(channel, ByteBuffer.wrap(content), 0);
                channel.force(true);
            }
            Files.move(temporary, at, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            unforcedDirectories.add(at.getParent());
        }
        catch (final IOException ex)
        {
            throw failed("replace", at, ex);
        }
    }

    @Override
    public synchronized void moved(final Path from, final Path to)
    {
        final Path origin = targetOf(from);
        final Path destination = targetOf(to);
        try
        {
            closeChannel(origin);
            closeChannel(destination);
            Files.createDirectories(destination.getParent());
            Files.move(origin, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            unforcedFiles.remove(origin);
            unforcedDirectories.add(origin.getParent());
            unforcedDirectories.add(destination.getParent());
        }
        catch (final NoSuchFileException ex)
        {
            if (!Files.exists(destination))
            {
                throw failed("move " + origin + " to", destination, ex);
            }
        }
        catch (final IOException ex)
        {
            throw failed("move " + origin + " to", destination, ex);
        }
    }

    @Override
    public synchronized void deleted(final Path file)
    {
        final Path at = targetOf(file);
        try
        {
            closeChannel(at);
            if (Files.deleteIfExists(at))
            {
                unforcedFiles.remove(at);
                unforcedDirectories.remove(at);
                unforcedDirectories.add(at.getParent());
            }
        }
        catch (final IOException ex)
        {
            throw failed("delete", at, ex);
        }
    }

    @Override
    public synchronized long forced()
    {
        try
        {
            for (final Path file : unforcedFiles)
            {
                final FileChannel channel = open.get(file);
                if (channel != null)
                {
                    channel.force(false);
                }
            }
            unforcedFiles.clear();
            for (final Path directory : unforcedDirectories)
            {
                forceDirectory(directory);
            }
            unforcedDirectories.clear();
            if (open.size() > MAX_OPEN_FILES)
            {
                close();
            }
        }
        catch (final IOException ex)
        {
            throw failed("force", target, ex);
        }
        return ++marks;
    }

    /**
     * Bodies are copied whole and forced at once, a slice at a time so the other changes are not held up for long.
     */
    @Override
    public BodyMirror bodies()
    {
        return bodies;
    }

    private String copyBody(final Path body)
    {
        final ByteBuffer slice = ByteBuffer.allocate(BODY_SLICE);
        try (FileChannel from = FileChannel.open(body, StandardOpenOption.READ))
        {
            long position = 0;
            for (int read = from.read(slice, position); read > 0; read = from.read(slice.clear(), position))
            {
                written(body, position, slice.flip());
                position += read;
            }
            if (position == 0)
            {
                written(body, 0, slice.flip());
            }
            forceOne(targetOf(body));
            return null;
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return "cannot copy " + body + " to " + target + ": " + ex.getMessage();
        }
    }

    private synchronized void forceOne(final Path file) throws IOException
    {
        final FileChannel channel = open.get(file);
        if (channel != null && unforcedFiles.remove(file))
        {
            channel.force(false);
        }
        if (unforcedDirectories.remove(file.getParent()))
        {
            forceDirectory(file.getParent());
        }
    }

    /**
     * @return files held open (tests).
     */
    synchronized int openFiles()
    {
        return open.size();
    }

    @Override
    public synchronized void close()
    {
        for (final Path file : Set.copyOf(open.keySet()))
        {
            closeChannel(file);
        }
    }

    private FileChannel channel(final Path file) throws IOException
    {
        FileChannel channel = open.get(file);
        if (channel == null)
        {
            if (!Files.exists(file))
            {
                Files.createDirectories(file.getParent());
                unforcedDirectories.add(file.getParent());
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            open.put(file, channel);
        }
        unforcedFiles.add(file);
        return channel;
    }

    private void closeChannel(final Path file)
    {
        final FileChannel channel = open.remove(file);
        if (channel == null)
        {
            return;
        }
        try
        {
            if (unforcedFiles.remove(file))
            {
                channel.force(false);
            }
            channel.close();
        }
        catch (final IOException ex)
        {
            throw failed("close", file, ex);
        }
    }

    private static void forceDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            // Some file systems cannot open a directory; its files were forced.
        }
    }

    private static long writeFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
        return at - position;
    }

    private static UncheckedIOException failed(final String what, final Path file, final IOException ex)
    {
        return new UncheckedIOException("mirror: cannot " + what + " " + file + ": " + ex.getMessage(), ex);
    }
}
