package io.meshmq.cluster;

import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.DestinationType;
import io.meshmq.selector.Selector;

import java.util.List;

/**
 * The commands the cluster layer and the acceptor put into the ring for the processor's side of the cluster, one
 * record each. Made on a Netty I/O thread or the cluster's event loop; read on the processor thread.
 */
public sealed interface ClusterCommand extends ExtensionCommand
{
    /**
     * A node connected to this one and asks to join its cluster (the event's connection says where to answer).
     *
     * @param correlationId what the answer carries.
     * @param url           HOST:PORT where the joining node is reached, or null if it did not say.
     * @param partial       the joining node is a partial repository (cluster.repository = partial): a full repository
     *                      links back to it, and no node takes it for a member every node must link to.
     */
    record Join(long correlationId, String clusterName, String nodeId, String nodeName, String url, boolean partial)
        implements ClusterCommand
    {
    }

    /**
     * A partial repository linked to this node asks it, a full repository, which nodes have queues or subscriptions
     * of that name (or, for a temporary destination's name, where its node is), and to be told of their changes.
     */
    record Lookup(String name) implements ClusterCommand
    {
    }

    /**
     * A full repository told this partial node of another node, and of one of its queues or subscriptions (null:
     * only where the node is, for a temporary destination of it).
     *
     * @param repositoryId the full repository that told.
     */
    record Known(String repositoryId, String nodeId, String nodeName, String url, Binding binding)
        implements ClusterCommand
    {
    }

    /**
     * A full repository told this partial node all it knows of a name it asked about.
     */
    record LookupAnswered(String repositoryId, String name) implements ClusterCommand
    {
    }

    /**
     * Another node forwards a message for queues of this node (the event's connection and correlation id say
     * where to confirm).
     *
     * @param sequence the forward's sequence number on the sending node, so a resend is stored once.
     * @param kind     the address's {@link io.meshmq.protocol.DestinationType}.
     * @param moved    redistributed from a queue of the sending node, rather than routed as it was sent.
     * @param largeLane it crossed on the sending node's large lane, whose sequences are told apart from the other's.
     * @param queues   the queues here that take it.
     * @param message  the encoded message.
     */
    record Receive(long sequence, byte kind, boolean moved, boolean largeLane, String address, String[] queues,
        byte[] message) implements ClusterCommand
    {
        /**
         * A forward on the lane that does not take large messages.
         */
        public Receive(final long sequence, final byte kind, final boolean moved, final String address,
            final String[] queues, final byte[] message)
        {
            this(sequence, kind, moved, false, address, queues, message);
        }

        /**
         * @return the sequence: the confirmation or refusal carries it.
         */
        @Override
        public long correlationId()
        {
            return sequence;
        }
    }

    /**
     * This node's link to another is up: {@code link} is where forwards to it go; {@code partial}, the other node
     * said it is a partial repository.
     */
    record LinkUp(String nodeId, String nodeName, String url, ConnectionOutput link, boolean partial)
        implements ClusterCommand
    {
    }

    /**
     * A link this partial node opened on demand could not reach the node (it was not up).
     */
    record Unreachable(String nodeId, String reason) implements ClusterCommand
    {
    }

    /**
     * This node's link to another is down.
     */
    record LinkDown(String nodeId, String reason) implements ClusterCommand
    {
    }

    /**
     * A queue or subscription of another node changed; a null {@code queue} ends the snapshot sent when the link
     * came up.
     *
     * @param kind      the address's {@link io.meshmq.protocol.DestinationType}.
     * @param exists    false when the queue was deleted.
     * @param grouped   whether its consumers take message groups.
     * @param filter    the subscription's selector, or null.
     * @param consumers how many consumers it has.
     * @param selectors the consumers' selectors, null for "every message".
     * @param weight    its node's share of the address's messages against other nodes' weights.
     * @param rank      1 for the first choice; only reachable bindings of the best rank are chosen.
     * @param group     the named group the node is in ({@code cluster.group}), "" for none.
     */
    record Binding(String nodeId, byte kind, String address, String queue, boolean exists, boolean grouped,
        Selector filter, int consumers, Selector[] selectors, int weight, int rank, String group)
        implements ClusterCommand
    {
        /**
         * @return the end of the snapshot of bindings a node sends when its link comes up.
         */
        public static Binding snapshotEnd(final String nodeId)
        {
            return new Binding(nodeId, DestinationType.NONE, null, null, false, false, null, 0, null, 0, 0, "");
        }
    }

    /**
     * Another node stored messages that clients sent it again after failing over from this one: copies this node
     * holds of them go.
     */
    record Resent(List<ResentMessage> messages) implements ClusterCommand
    {
    }

    /**
     * How many applications are connected to another node, whether it is suspended, and whether it decides where
     * message groups go.
     */
    record Clients(String nodeId, int clients, boolean suspended, boolean groupHandler) implements ClusterCommand
    {
    }

    /**
     * A node linked to this one asks it to suspend or resume itself (an operator asked that node).
     */
    record Suspend(boolean suspended) implements ClusterCommand
    {
    }

    /**
     * The other node stored a forward ({@code failure} null), or refused it.
     */
    record Forwarded(String nodeId, long sequence, String failure) implements ClusterCommand
    {
    }

    /**
     * A large body this node sent ahead of its forward is kept by the other node ({@code failure} null), or is not.
     */
    record LargeStaged(String nodeId, long bodyId, String failure) implements ClusterCommand
    {
    }

    /**
     * Cluster connections defined at run time, from another node or asked for by the cluster layer.
     */
    record Members(List<MemberDefinition> definitions) implements ClusterCommand
    {
    }

    /**
     * A backup asks to be this node's replica (on its cluster connection).
     *
     * @param spare a spare adopting a journal without a replica: it never displaces another backup.
     */
    record ReplicaStart(String backupName, boolean spare) implements ClusterCommand
    {
    }

    /**
     * The quorum recorded that the lost replica may no longer take over: confirmations may stop waiting for it.
     */
    record ReplicaDropped() implements ClusterCommand
    {
    }

    /**
     * The replica stored everything up to a mark.
     */
    record ReplicaStored(long mark) implements ClusterCommand
    {
    }

    /**
     * The replica cannot store what it is sent (its disk is full, or failing): it stores and confirms nothing more.
     */
    record ReplicaFault(String reason) implements ClusterCommand
    {
    }
}
