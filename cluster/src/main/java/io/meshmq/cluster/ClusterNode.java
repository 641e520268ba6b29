package io.meshmq.cluster;

import io.meshmq.cluster.link.ClusterInput;
import io.meshmq.cluster.replication.ReplicaQuorum;
import io.meshmq.cluster.routing.Cluster;
import io.meshmq.cluster.wire.ClusterFrameDecoder;
import io.meshmq.engine.extension.BrokerExtension;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.net.ExtensionFrames;
import io.meshmq.engine.ring.ExtensionInput;

/**
 * A broker's membership of its cluster, as the broker's extension: the cluster's side inside the processor
 * ({@link Cluster}), the decoding of the frames other nodes send ({@link ClusterFrameDecoder}), and the door the mesh's
 * links use to reach the processor ({@link ClusterInput}), which {@link Mesh#start} takes from here.
 * <p>
 * Thread safe: set up while the broker starts; {@link #input()} may be read from any thread after that.
 */
public final class ClusterNode implements BrokerExtension
{
    private final ClusterIdentity identity;
    private volatile ClusterInput input;

    ClusterNode(final ClusterIdentity identity)
    {
        this.identity = identity;
    }

    @Override
    public ExtensionFrames frames()
    {
        return new ClusterFrameDecoder();
    }

    @Override
    public ProcessorExtension attach(final EngineControl control)
    {
        return new Cluster(identity, control);
    }

    @Override
    public void started(final ExtensionInput input)
    {
        this.input = new ClusterInput(input, identity);
    }

    /**
     * Where a quorum decides takeovers: this node owns its journal, so it may take a replica, and tells {@code quorum}
     * how its replica stands.
     */
    public void replicaQuorum(final ReplicaQuorum quorum)
    {
        identity.replicaQuorum().set(quorum);
    }

    ClusterIdentity identity()
    {
        return identity;
    }

    /**
     * @return how the mesh feeds the processor; null before the broker's processor runs.
     */
    public ClusterInput input()
    {
        return input;
    }
}
