package io.meshmq.tck.cluster;

import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster connections defined at run time on one node ({@code cluster add|remove}): they spread to every
 * member, survive restarts, and an inactive or removed one is not used.
 */
class ClusterDefinitionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFormTheMeshFromDefinitionsMadeOnOneNode() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "defined", 3, false))
        {
            nodes.admin(0, AdminVerbs.CLUSTER_ADD, nodes.member(1));
            nodes.admin(0, AdminVerbs.CLUSTER_ADD, nodes.member(2));
            // n1 links to n2 and n3; they learn every definition, and n1's address from its join.
            nodes.awaitMesh();

            // Survives a restart: n2 comes back with what it learned and links again.
            nodes.kill(1);
            nodes.startNode(1);
            nodes.awaitMesh();
            assertEquals("active", definition(nodes.admin(1, AdminVerbs.CLUSTER_LIST), nodes.member(2)));

            // Switched off on n2: n1 and n3 stop using their links to n2... while keeping the definition.
            nodes.admin(1, AdminVerbs.CLUSTER_ADD, nodes.member(1), "inactive");
            for (final int node : new int[] {0, 2})
            {
                ClusterNodes.poll("n" + (node + 1) + " to stop linking to n2", 30_000,
                    () -> nodes.linkState(node, nodes.member(1)).equals("not used"));
                assertEquals("inactive", definition(nodes.admin(node, AdminVerbs.CLUSTER_LIST), nodes.member(1)));
            }
            // ...and removing n3 on n1 spreads to n2 as well; n1 forgets n3's queues, so routes nothing there.
            nodes.admin(2, AdminVerbs.QUEUE_CREATE, "on-n3");
            ClusterNodes.poll("n1 to know n3's queue", 30_000, () -> bindingsOf(nodes.admin(0, AdminVerbs.CLUSTER_BINDINGS), "n3") > 0);
            nodes.admin(0, AdminVerbs.CLUSTER_REMOVE, nodes.member(2));
            ClusterNodes.poll("n2 to hear n3 was removed", 30_000,
                () -> "removed".equals(definition(nodes.admin(1, AdminVerbs.CLUSTER_LIST), nodes.member(2))));
            ClusterNodes.poll("n1 to stop linking to n3", 30_000,
                () -> nodes.linkState(0, nodes.member(2)).equals("not used"));
            assertEquals(0, bindingsOf(nodes.admin(0, AdminVerbs.CLUSTER_BINDINGS), "n3"), "n3's queues forgotten on n1");
            final AdminTable status = nodes.status(0);
            String n3State = "n3 not in the status";
            for (int r = 0; r < status.rows().size(); r++)
            {
                if ("n3".equals(status.value(r, "node")))
                {
                    n3State = String.valueOf(status.value(r, "state"));
                }
            }
            assertTrue(n3State.startsWith("removed (member " + nodes.member(2) + ")"), n3State);
        }
    }

    private static int bindingsOf(final AdminTable bindings, final String node)
    {
        int count = 0;
        for (int r = 0; r < bindings.rows().size(); r++)
        {
            if (node.equals(bindings.value(r, "node")))
            {
                count++;
            }
        }
        return count;
    }

    private static String definition(final AdminTable list, final String member)
    {
        for (int r = 0; r < list.rows().size(); r++)
        {
            if (member.equals(list.value(r, "member")))
            {
                return String.valueOf(list.value(r, "definition"));
            }
        }
        return "";
    }
}
