package io.meshmq.cluster.quorum;

import io.meshmq.transport.TlsSettings;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Which processes vote (ha.quorum: every voter's HOST:PORT, the same list on each) and which of them this one is
 * (ha.quorum-bind). The group is named after the cluster, so two clusters never mix their votes. With TLS (the
 * cluster's: cluster.tls), every voter and every call to the quorum speaks mutual TLS: each end presents its
 * certificate (tls.keystore) and accepts only one its trust store trusts, for the host it dialled; a process without
 * such a certificate can neither vote nor ask.
 *
 * @param tls the cluster's TLS, or null for plain connections.
 */
public record QuorumSettings(String clusterName, List<String> voters, String self, TlsSettings tls)
{
    public QuorumSettings(final String clusterName, final List<String> voters, final String self)
    {
        this(clusterName, voters, self, null);
    }

    /**
     * @throws IllegalArgumentException naming what is wrong: fewer than three voters, this process not among them,
     *                                  an address that is not HOST:PORT.
     */
    public QuorumSettings
    {
        voters = List.copyOf(voters);
        if (voters.size() < 3)
        {
            throw new IllegalArgumentException("ha.quorum lists " + voters.size() + " voter(s): a quorum needs at " +
                "least three (a live, its backup and a witness), so that a majority survives the loss of one");
        }
        if (!voters.contains(self))
        {
            throw new IllegalArgumentException("ha.quorum-bind = " + self + " is not one of ha.quorum " + voters);
        }
        if (voters.stream().distinct().count() != voters.size())
        {
            throw new IllegalArgumentException("ha.quorum " + voters + " names a voter twice");
        }
        for (final String voter : voters)
        {
            port(voter);
        }
        if (tls != null)
        {
            tls.keyManager();
            tls.trustManager();
        }
    }

    /**
     * @return what Ratis's gRPC servers, clients and admin calls are given: mutual TLS, or nothing for plain.
     */
    Parameters parameters()
    {
        final Parameters parameters = new Parameters();
        if (tls != null)
        {
            final GrpcTlsConfig mutual = new GrpcTlsConfig(tls.keyManager(), tls.trustManager(), true);
            GrpcConfigKeys.TLS.setConf(parameters, mutual);
            GrpcConfigKeys.Server.setTlsConf(parameters, mutual);
            GrpcConfigKeys.Client.setTlsConf(parameters, mutual);
            GrpcConfigKeys.Admin.setTlsConf(parameters, mutual);
        }
        return parameters;
    }

    RaftGroup group()
    {
        final List<RaftPeer> peers = new ArrayList<>();
        for (final String voter : voters)
        {
            peers.add(RaftPeer.newBuilder().setId(peerId(voter)).setAddress(voter).build());
        }
        return RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("meshmq quorum of cluster " + clusterName)
            .getBytes(StandardCharsets.UTF_8))), peers);
    }

    RaftPeerId selfId()
    {
        return peerId(self);
    }

    String host()
    {
        final String host = self.substring(0, self.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    int port()
    {
        return port(self);
    }

    private static int port(final String voter)
    {
        final int colon = voter.lastIndexOf(':');
        try
        {
            final int port = colon <= 0 ? -1 : Integer.parseInt(voter.substring(colon + 1));
            if (port < 1 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return port;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("quorum voter '" + voter + "' is not HOST:PORT");
        }
    }

    private static RaftPeerId peerId(final String voter)
    {
        return RaftPeerId.valueOf("voter-" + voter.replaceAll("[^A-Za-z0-9.-]", "_"));
    }
}
