package io.meshmq.bridge;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The bridges made at run time, kept in a properties file ({@code NAME.KEY = VALUE}): written whole to a new file,
 * forced, then moved over the old one, so a crash leaves the old list or the new, never half of one.
 * <p>
 * Not thread safe: {@link Bridges} serialises its calls.
 */
final class BridgeStore
{
    private final Path file;

    BridgeStore(final Path file)
    {
        this.file = file;
    }

    /**
     * @return each bridge's settings by name; none if the file does not exist.
     */
    Map<String, Map<String, String>> read() throws IOException
    {
        final Map<String, Map<String, String>> bridges = new TreeMap<>();
        if (!Files.exists(file))
        {
            return bridges;
        }
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        for (final String key : properties.stringPropertyNames())
        {
            final int dot = key.lastIndexOf('.');
            if (dot <= 0)
            {
                throw new IOException(file + ": '" + key + "' is not NAME.KEY");
            }
            bridges.computeIfAbsent(key.substring(0, dot), name -> new LinkedHashMap<>())
                .put(key.substring(dot + 1), properties.getProperty(key));
        }
        return bridges;
    }

    void write(final Map<String, Map<String, String>> bridges) throws IOException
    {
        final Properties properties = new Properties();
        bridges.forEach((name, settings) -> settings.forEach((key, value) -> properties.setProperty(name + "." + key,
            value)));
        final Path next = file.resolveSibling(file.getFileName() + ".next");
        try (Writer writer = Files.newBufferedWriter(next, StandardCharsets.UTF_8))
        {
            properties.store(writer, "bridges made by ./meshmq bridge create; delete them with bridge delete");
        }
        try (FileChannel channel = FileChannel.open(next, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public String toString()
    {
        return file.toString();
    }
}
