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

    static NodeIdentity load(final Path dataDir, final DataMirror mirror) throws BrokerStartException
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
                ForcedFile.replace(idFile, id + "\n", mirror);
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
