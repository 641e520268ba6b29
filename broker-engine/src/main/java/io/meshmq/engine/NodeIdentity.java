package io.meshmq.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Who this node is across restarts: an id made once for its data directory, and an incarnation counted up
 * (and forced to disk) at every start. Other nodes recognise it by the id; the incarnation makes the
 * sequence numbers of what it forwards grow across restarts without journaling a counter.
 */
public record NodeIdentity(String id, long incarnation)
{
    static final String ID_FILE = "node.id";
    static final String INCARNATION_FILE = "node.incarnation";

    static NodeIdentity load(final Path dataDir) throws BrokerStartException
    {
        final Path idFile = dataDir.resolve(ID_FILE);
        final Path incarnationFile = dataDir.resolve(INCARNATION_FILE);
        try
        {
            String id;
            try
            {
                id = Files.readString(idFile, StandardCharsets.UTF_8).strip();
                UUID.fromString(id);
            }
            catch (final NoSuchFileException ex)
            {
                id = UUID.randomUUID().toString();
                writeForced(idFile, id);
            }
            long incarnation = 0;
            try
            {
                incarnation = Long.parseLong(Files.readString(incarnationFile, StandardCharsets.UTF_8).strip());
            }
            catch (final NoSuchFileException ex)
            {
                // the first start
            }
            incarnation++;
            writeForced(incarnationFile, Long.toString(incarnation));
            return new NodeIdentity(id, incarnation);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new BrokerStartException("cannot read or write the node identity in " + dataDir.toAbsolutePath() +
                " (" + ID_FILE + ", " + INCARNATION_FILE + "): " + ex.getMessage(), ex);
        }
    }

    /**
     * Replaces the file by a forced copy, so a crash leaves the old content or the new, never a torn one.
     */
    private static void writeForced(final Path file, final String content) throws IOException
    {
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            channel.write(ByteBuffer.wrap((content + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
