package io.meshmq.cluster;

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
