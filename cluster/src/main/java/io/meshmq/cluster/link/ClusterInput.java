package io.meshmq.cluster.link;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.cluster.MemberDefinition;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.ExtensionInput;
import io.netty.channel.Channel;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How the cluster layer talks to the engine: what it hears on its links to other nodes goes into the engine
 * ring as commands, so the processor stays the only writer of routing state.
 * <p>
 * Thread safe: called from the cluster's I/O threads.
 */
public final class ClusterInput
{
    private final ExtensionInput input;
    private final ClusterIdentity identity;

    public ClusterInput(final ExtensionInput input, final ClusterIdentity identity)
    {
        this.input = input;
        this.identity = identity;
    }

    public String clusterName()
    {
        return identity.clusterName();
    }

    public String nodeId()
    {
        return identity.nodeId();
    }

    public String nodeName()
    {
        return identity.nodeName();
    }

    /**
     * @return HOST:PORT where other members reach this node.
     */
    public String url()
    {
        return identity.url().get();
    }

    /**
     * @return true if this node is a partial repository.
     */
    public boolean partial()
    {
        return identity.repository().partial();
    }

    /**
     * Asks to be told, on the processor thread, the cluster connections defined at run time: once now, and
     * whenever they change.
     */
    public void onDefinitions(final Consumer<List<MemberDefinition>> listener)
    {
        identity.onDefinitions().set(listener);
        members(List.of());
    }

    /**
     * A ping on this node's link to another came back after {@code nanos}.
     */
    public void roundTrip(final String nodeId, final long nanos)
    {
        identity.roundTripsNs().put(nodeId, nanos);
    }

    /**
     * Another node told this one of cluster connections defined at run time.
     */
    public void members(final List<MemberDefinition> definitions)
    {
        publish(new ClusterCommand.Members(definitions));
    }

    /**
     * @return each member (HOST:PORT) and the state of the link to it, for the cluster layer to keep up to
     * date; status reads it.
     */
    public Map<String, String> memberStates()
    {
        return identity.members();
    }

    /**
     * @return where the processor writes frames for a link this node opened to another.
     */
    public ConnectionOutput output(final Channel channel)
    {
        return input.output(channel);
    }

    /**
     * The quorum recorded that this node's lost replica may no longer take over.
     */
    public void replicaDropped()
    {
        publish(new ClusterCommand.ReplicaDropped());
    }

    /**
     * @param partial the other node said it is a partial repository.
     */
    public void linkUp(final String nodeId, final String nodeName, final String url, final ConnectionOutput link,
        final boolean partial)
    {
        publish(new ClusterCommand.LinkUp(nodeId, nodeName, url, link, partial));
    }

    /**
     * A full repository told this partial node of another node, a queue or subscription of it, or that it answered a
     * lookup.
     */
    public void known(final ClusterCommand known)
    {
        publish(known);
    }

    /**
     * A link opened on demand could not reach its node.
     */
    public void unreachable(final String nodeId, final String reason)
    {
        publish(new ClusterCommand.Unreachable(nodeId, reason));
    }

    public void linkDown(final String nodeId, final String reason)
    {
        publish(new ClusterCommand.LinkDown(nodeId, reason));
    }

    /**
     * A queue of another node changed; a null queue ends the snapshot sent when the link came up.
     */
    public void binding(final ClusterCommand.Binding binding)
    {
        publish(binding);
    }

    /**
     * How many applications are connected to another node, whether it is suspended, and whether it decides where
     * message groups go.
     */
    public void clients(final String nodeId, final int clients, final boolean suspended, final boolean groupHandler)
    {
        publish(new ClusterCommand.Clients(nodeId, clients, suspended, groupHandler));
    }

    /**
     * The other node stored a forward (failure null), or refused it.
     */
    public void largeStaged(final String nodeId, final long bodyId, final String failure)
    {
        publish(new ClusterCommand.LargeStaged(nodeId, bodyId, failure));
    }

    public void forwarded(final String nodeId, final long sequence, final String failure)
    {
        publish(new ClusterCommand.Forwarded(nodeId, sequence, failure));
    }

    /**
     * A link that was backed up can take data again.
     */
    public void writable()
    {
        input.writable();
    }

    private void publish(final ClusterCommand command)
    {
        input.publish(command);
    }
}
