package io.meshmq.cluster;

import io.meshmq.engine.extension.BrokerExtension;
import io.meshmq.engine.extension.ExtensionProvider;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes a broker a node of its cluster when its settings name one ({@code cluster.name}); found by the broker through
 * {@link java.util.ServiceLoader}, so any broker with this module on its class path can be clustered.
 */
public final class ClusterProvider implements ExtensionProvider
{
    /** The file in the data directory that keeps the cluster connections defined at run time. */
    static final String DEFINITIONS_FILE = "cluster-members";

    @Override
    public BrokerExtension create(final Context context)
    {
        final String clusterName = context.broker().clusterName();
        if (clusterName == null)
        {
            return null;
        }
        return new ClusterNode(new ClusterIdentity(clusterName, context.nodeId(), context.broker().name(),
            context.incarnation(), new ConcurrentSkipListMap<>(),
            !context.broker().discovers() ? null : ConcurrentHashMap.newKeySet(), context.memberAddress(),
            context.dataDirectory().resolve(DEFINITIONS_FILE), new AtomicReference<>(),
            context.broker().haQuorum().isEmpty() ? null : new AtomicReference<>(),
            context.broker().haReplicaFaultWaits(), new ConcurrentHashMap<>(), context.broker().clusterGroup(),
            context.broker().clusterSendTimeoutMs(), grouping(context), new AtomicReference<>(),
            new RepositoryRole(context.broker().clusterPartial(), context.broker().clusterIdleLinkTimeoutMs())));
    }

    /**
     * @return this node's grouping settings; a backup serving a journal it took over plays the part that journal's
     * node played (its data directory says whether it was the grouping handler), so the handler's role and pins go
     * with its journal.
     */
    private static GroupingSettings grouping(final Context context)
    {
        final boolean wasHandler = context.broker().haBackup() && GroupingSettings.wasHandler(context.dataDirectory());
        return new GroupingSettings(wasHandler ? "local" : context.broker().groupingType(),
            context.broker().groupingTimeoutMs(), context.broker().groupingGroupTimeoutMs(),
            context.broker().groupingReaperPeriodMs());
    }
}
