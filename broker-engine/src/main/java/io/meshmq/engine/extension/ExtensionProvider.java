package io.meshmq.engine.extension;

import io.meshmq.engine.BrokerContext;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Finds and makes a broker's extension: a module (the cluster) names its provider in
 * {@code META-INF/services/io.meshmq.engine.extension.ExtensionProvider}, and the broker asks each provider at start-up.
 */
public interface ExtensionProvider
{
    /**
     * What a provider is told of the broker it extends.
     *
     * @param broker        the broker's settings.
     * @param nodeId        unique and kept across restarts (the data directory's).
     * @param incarnation   counted up at every start.
     * @param dataDirectory the broker's data directory, where an extension keeps files of its own.
     * @param memberAddress HOST:PORT where other brokers reach this one, once it listens; null before that or if no
     *                      single address would do.
     */
    record Context(BrokerContext broker, String nodeId, long incarnation, Path dataDirectory,
        Supplier<String> memberAddress)
    {
    }

    /**
     * @return the extension for this broker, or null if its settings do not ask for one.
     * @throws IllegalArgumentException if the settings are wrong, saying which and how.
     */
    BrokerExtension create(Context context);
}
