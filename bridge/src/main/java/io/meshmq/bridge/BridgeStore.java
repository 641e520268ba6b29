package io.meshmq.bridge;

import io.meshmq.engine.extension.AdminHandler;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The bridges made at run time, kept in a properties file ({@code NAME.KEY = VALUE}) of the broker's data directory:
 * replaced whole by the broker (a new file, forced, moved over the old one, so a crash leaves the old list or the new,
 * never half of one), which tells its replica, so the list goes with the journal to whichever process serves it.
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

    /**
     * @param broker writes it where the broker keeps its data, mirrored to its replica if it has one, so the bridges
     *               go with the journal to whichever process serves it.
     */
    void write(final Map<String, Map<String, String>> bridges, final AdminHandler.Broker broker) throws IOException
    {
        final Properties properties = new Properties();
        bridges.forEach((name, settings) -> settings.forEach((key, value) -> properties.setProperty(name + "." + key,
            value)));
        final StringWriter text = new StringWriter();
        properties.store(text, "bridges made by ./meshmq bridge create; delete them with bridge delete");
        broker.replaceFile(file.getFileName().toString(), text.toString());
    }

    @Override
    public String toString()
    {
        return file.toString();
    }
}
