package io.meshmq.engine.processor;

import io.meshmq.engine.extension.AdminHandler;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.mirror.SwitchableMirror;
import io.meshmq.engine.security.Authorizer;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * What the processor needs from the broker's configuration.
 *
 * @param brokerName             told to clients in the handshake.
 * @param autoCreateDestinations create a queue or topic the first time it is used.
 * @param queues                 queues that exist from start-up.
 * @param topics                 topics that exist from start-up.
 * @param addressSettings        delivery limits, delays, dead-letter and expiry addresses per address.
 * @param globalMaxSize          bytes of messages all queues together may hold waiting in memory; -1 for no
 *                               limit.
 * @param pagingDirectory        where queues beyond their limits page; null for no paging (sends are refused).
 * @param extension              makes the processor's extension (the cluster) given what it may do; returns
 *                               {@link ProcessorExtension#NONE} for a broker with none.
 * @param duplicateIdCacheSize   message ids remembered per address for duplicate detection; 0: none.
 * @param authorizer             what each user may do with each address.
 * @param mirror                 told every change to durable page files, for a replica; the journal is given the
 *                               same one, so that a replica attached on the processor thread hears of both.
 * @param adminHandler           admin verbs answered beside the processor's own (the core bridges').
 * @param largeStore             where large message bodies are; null for a broker that takes none.
 */
public record ProcessorContext(
    String brokerName, boolean autoCreateDestinations, List<String> queues, List<String> topics,
    AddressSettingsMatcher addressSettings, long globalMaxSize, Path pagingDirectory,
    Function<EngineControl, ProcessorExtension> extension, int duplicateIdCacheSize, Authorizer authorizer,
    SwitchableMirror mirror, AdminHandler adminHandler, LargeStore largeStore)
{
    public static final int DEFAULT_DUPLICATE_ID_CACHE_SIZE = 4096;

    public ProcessorContext
    {
        queues = List.copyOf(queues);
        topics = List.copyOf(topics);
    }

    /**
     * A context that takes no large messages.
     */
    public ProcessorContext(final String brokerName, final boolean autoCreateDestinations, final List<String> queues,
        final List<String> topics, final AddressSettingsMatcher addressSettings, final long globalMaxSize,
        final Path pagingDirectory, final Function<EngineControl, ProcessorExtension> extension,
        final int duplicateIdCacheSize, final Authorizer authorizer, final SwitchableMirror mirror,
        final AdminHandler adminHandler)
    {
        this(brokerName, autoCreateDestinations, queues, topics, addressSettings, globalMaxSize, pagingDirectory,
            extension, duplicateIdCacheSize, authorizer, mirror, adminHandler, null);
    }

    /**
     * A context with no admin verbs beside the processor's own.
     */
    public ProcessorContext(final String brokerName, final boolean autoCreateDestinations, final List<String> queues,
        final List<String> topics, final AddressSettingsMatcher addressSettings, final long globalMaxSize,
        final Path pagingDirectory, final Function<EngineControl, ProcessorExtension> extension,
        final int duplicateIdCacheSize, final Authorizer authorizer, final SwitchableMirror mirror)
    {
        this(brokerName, autoCreateDestinations, queues, topics, addressSettings, globalMaxSize, pagingDirectory,
            extension, duplicateIdCacheSize, authorizer, mirror, AdminHandler.NONE);
    }

    /**
     * A context with no replica.
     */
    public ProcessorContext(final String brokerName, final boolean autoCreateDestinations, final List<String> queues,
        final List<String> topics, final AddressSettingsMatcher addressSettings, final long globalMaxSize,
        final Path pagingDirectory, final Function<EngineControl, ProcessorExtension> extension,
        final int duplicateIdCacheSize, final Authorizer authorizer)
    {
        this(brokerName, autoCreateDestinations, queues, topics, addressSettings, globalMaxSize, pagingDirectory,
            extension, duplicateIdCacheSize, authorizer, new SwitchableMirror(DataMirror.NONE));
    }

    /**
     * A context in which everybody may do everything (no users).
     */
    public ProcessorContext(final String brokerName, final boolean autoCreateDestinations, final List<String> queues,
        final List<String> topics, final AddressSettingsMatcher addressSettings, final long globalMaxSize,
        final Path pagingDirectory, final Function<EngineControl, ProcessorExtension> extension,
        final int duplicateIdCacheSize)
    {
        this(brokerName, autoCreateDestinations, queues, topics, addressSettings, globalMaxSize, pagingDirectory,
            extension, duplicateIdCacheSize, Authorizer.none());
    }

    /**
     * @return a context with defaults for everything but the destinations; for tests.
     */
    public static ProcessorContext of(final boolean autoCreate, final List<String> queues, final List<String> topics)
    {
        return new ProcessorContext("meshmq", autoCreate, queues, topics, new AddressSettingsMatcher(), -1, null,
            control -> ProcessorExtension.NONE, DEFAULT_DUPLICATE_ID_CACHE_SIZE);
    }
}
