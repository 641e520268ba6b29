package io.meshmq.engine;

import io.meshmq.engine.journal.ForcedFile;
import io.meshmq.engine.mirror.DataMirror;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    /**
     * @return the id of the data directory, made (and forced to disk) if it has none yet; what a quorum knows a
     * journal by before a broker runs on it.
     * @throws IOException              if the id cannot be read or written.
     * @throws IllegalArgumentException if the file holds something that is not an id.
     */
    public static String idOf(final Path dataDir, final DataMirror mirror) throws IOException
    {
        final Path idFile = dataDir.resolve(ID_FILE);
        try
        {
            final String id = Files.readString(idFile, StandardCharsets.UTF_8).strip();
            UUID.fromString(id);
            return id;
        }
        catch (final NoSuchFileException ex)
        {
            final String id = UUID.randomUUID().toString();
            Files.createDirectories(dataDir);
            ForcedFile.replace(idFile, id + "\n", mirror);
            return id;
        }
    }

    /**
     * @return the id of the data directory, or null if it has none (or none that reads as one).
     */
    public static String existingId(final Path dataDir)
    {
        try
        {
            final String id = Files.readString(dataDir.resolve(ID_FILE), StandardCharsets.UTF_8).strip();
            UUID.fromString(id);
            return id;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return null;
        }
    }

    static NodeIdentity load(final Path dataDir, final DataMirror mirror) throws BrokerStartException
    {
        final Path incarnationFile = dataDir.resolve(INCARNATION_FILE);
        try
        {
            final String id = idOf(dataDir, mirror);
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
            ForcedFile.replace(incarnationFile, incarnation + "\n", mirror);
            return new NodeIdentity(id, incarnation);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new BrokerStartException("cannot read or write the node identity in " + dataDir.toAbsolutePath() +
                " (" + ID_FILE + ", " + INCARNATION_FILE + "): " + ex.getMessage(), ex);
        }
    }
}
