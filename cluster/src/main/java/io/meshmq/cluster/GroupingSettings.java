package io.meshmq.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This node's part in keeping each message group (JMSXGroupID) of a clustered queue on one node.
 *
 * @param type           "local" (this node decides where each group goes), "remote" (it asks the local one), "none"
 *                       (each node keeps the groups of what it routes itself).
 * @param timeoutMs      how long a grouped send on a remote node waits for the local one to decide its group.
 * @param groupTimeoutMs how long a group no message used is kept; -1 for ever.
 * @param reaperPeriodMs how often groups are looked at to be forgotten.
 */
public record GroupingSettings(String type, long timeoutMs, long groupTimeoutMs, long reaperPeriodMs)
{
    public static final GroupingSettings NONE = new GroupingSettings("none", 5_000, -1, 30_000);
    /** In a handler's data directory (mirrored to its replica): it is the grouping handler. */
    public static final String HANDLER_FILE = "cluster-grouping-handler";

    /**
     * @return true if the data directory is the journal of a node that was the grouping handler.
     */
    public static boolean wasHandler(final Path dataDirectory)
    {
        return dataDirectory != null && Files.exists(dataDirectory.resolve(HANDLER_FILE));
    }

    public boolean isLocal()
    {
        return "local".equals(type);
    }

    public boolean isRemote()
    {
        return "remote".equals(type);
    }

    public boolean isOn()
    {
        return isLocal() || isRemote();
    }
}
