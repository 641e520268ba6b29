package io.meshmq.cluster.membership;

import io.meshmq.cluster.MemberDefinition;
import io.meshmq.engine.journal.ForcedFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster connections defined at run time, as this node knows them: merged from what other nodes tell
 * it, and kept in a file of the data directory (one definition per line, replaced whole and forced on each
 * change, so a crash leaves the old file or the new).
 * <p>
 * Not thread safe: owned by the processor thread (and read once before it starts).
 */
public final class MemberDefinitions
{
    private final Path file;
    private final Map<String, MemberDefinition> byMember = new TreeMap<>();

    private MemberDefinitions(final Path file)
    {
        this.file = file;
    }

    /**
     * @param file null for definitions kept in memory only.
     * @throws IllegalStateException naming the file and line if it cannot be read.
     */
    public static MemberDefinitions load(final Path file)
    {
        final MemberDefinitions definitions = new MemberDefinitions(file);
        if (file == null)
        {
            return definitions;
        }
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return definitions;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the cluster definitions in " + file + ": " + ex, ex);
        }
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty())
            {
                continue;
            }
            final String[] fields = line.split(" ");
            try
            {
                definitions.byMember.put(fields[0], new MemberDefinition(fields[0], Boolean.parseBoolean(fields[1]),
                    Boolean.parseBoolean(fields[2]), Long.parseLong(fields[3]), fields[4]));
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalStateException(file + ":" + (i + 1) + ": not a cluster definition: '" + line + "'");
            }
        }
        return definitions;
    }

    public Collection<MemberDefinition> all()
    {
        return byMember.values();
    }

    public MemberDefinition get(final String member)
    {
        return byMember.get(member);
    }

    /**
     * @return true if it changed what this node knows (it was newer than the definition it replaces).
     */
    public boolean merge(final MemberDefinition definition)
    {
        if (!definition.isNewerThan(byMember.get(definition.member())))
        {
            return false;
        }
        byMember.put(definition.member(), definition);
        return true;
    }

    /**
     * @throws IOException if the file could not be written; the definitions in memory stay changed.
     */
    public void save() throws IOException
    {
        if (file == null)
        {
            return;
        }
        final StringBuilder text = new StringBuilder();
        for (final MemberDefinition d : byMember.values())
        {
            text.append(d.member()).append(' ').append(d.active()).append(' ').append(d.removed()).append(' ')
                .append(d.stamp()).append(' ').append(d.origin()).append('\n');
        }
        ForcedFile.replace(file, text.toString());
    }
}
