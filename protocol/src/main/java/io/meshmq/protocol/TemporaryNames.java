package io.meshmq.protocol;

/**
 * Names of temporary destinations: {@code temp-queue.SCOPE.CONNECTION.N} (or {@code temp-topic.}...). In a cluster
 * the broker sends the scope in HELLO_OK: {@code NODE.INCARNATION}, the id of the node the creating connection is
 * on and its start count. The name alone tells every node where the destination lives, so a reply can be sent to
 * it from any node before that node has heard of it; and no name is made twice, not even after a restart.
 */
public final class TemporaryNames
{
    private static final String QUEUE_PREFIX = "temp-queue.";
    private static final String TOPIC_PREFIX = "temp-topic.";

    private TemporaryNames()
    {
    }

    /**
     * @param scope what the broker sent, or null from a broker in no cluster (the name is then the broker's alone).
     */
    public static String name(final byte type, final String scope, final long connectionId, final long n)
    {
        final String prefix = type == DestinationType.TEMPORARY_TOPIC ? TOPIC_PREFIX : QUEUE_PREFIX;
        return scope == null || scope.isEmpty() ? prefix + connectionId + "." + n :
            prefix + scope + "." + connectionId + "." + n;
    }

    /**
     * @param scope as a broker sends it in HELLO_OK, or null.
     * @return the node id in it, or null outside a cluster.
     */
    public static String nodeOfScope(final String scope)
    {
        if (scope == null)
        {
            return null;
        }
        final int dot = scope.indexOf('.');
        return dot <= 0 ? null : scope.substring(0, dot);
    }

    /**
     * @return the node id a temporary destination's name carries, or null if it carries none.
     */
    public static String nodeOf(final String name)
    {
        final int start = name.startsWith(QUEUE_PREFIX) || name.startsWith(TOPIC_PREFIX) ? QUEUE_PREFIX.length() : -1;
        if (start < 0)
        {
            return null;
        }
        final int end = name.indexOf('.', start);
        if (end <= start || name.indexOf('.', end + 1) < 0)
        {
            return null;
        }
        final String node = name.substring(start, end);
        for (int i = 0; i < node.length(); i++)
        {
            if (!Character.isDigit(node.charAt(i)))
            {
                return node;
            }
        }
        return null;
    }
}
