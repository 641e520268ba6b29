package io.meshmq.cluster.quorum;

/**
 * Who serves a journal (a live's data directory, known by its node id), as the quorum last agreed.
 *
 * @param journal the node id of the data directory.
 * @param epoch   counted up at every takeover; a process serving an older epoch is fenced.
 * @param owner   the name of the process serving it.
 * @param address HOST:PORT where the owner takes clients and its replica.
 * @param replica the name of the process whose copy is in sync (confirmations wait for it), or null for none.
 */
public record Ownership(String journal, long epoch, String owner, String address, String replica)
{
    public boolean isOwnedBy(final String name)
    {
        return owner.equals(name);
    }

    @Override
    public String toString()
    {
        return "journal " + journal + " epoch " + epoch + " served by '" + owner + "' at " + address +
            (replica == null ? ", no replica in sync" : ", replica '" + replica + "' in sync");
    }
}
