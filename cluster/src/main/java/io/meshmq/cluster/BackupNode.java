package io.meshmq.cluster;

import io.meshmq.cluster.link.ReplicaLink;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.engine.DataDirectory;
import io.meshmq.engine.net.NativeTransport;
import io.meshmq.transport.TlsSettings;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A process that is a backup (ha.role = backup) rather than a broker: it holds its data directory locked and keeps in
 * it, under {@link ReplicaLink#REPLICA}, a copy of its live's data directory that its live keeps in sync (every
 * confirmation the live gives waits for the copy to hold what it confirms). A broker started on that directory has
 * everything the live confirmed.
 */
public final class BackupNode implements AutoCloseable
{
    private static final String LOCK_FILE = "backup.lock";

    private final EventLoopGroup loop;
    private final ReplicaLink link;
    private final DataDirectory lock;

    private BackupNode(final EventLoopGroup loop, final ReplicaLink link, final DataDirectory lock)
    {
        this.loop = loop;
        this.link = link;
        this.lock = lock;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong: no live given, TLS stores that cannot be read.
     * @throws BrokerStartException if the data directory cannot be made or is in use.
     */
    public static BackupNode start(final BrokerContext context) throws BrokerStartException
    {
        final String live = context.haLive();
        if (live == null)
        {
            throw new IllegalArgumentException("ha.role = backup needs ha.live = HOST:PORT, the live it keeps a replica of");
        }
        final Path dataDir = context.dataDir();
        final DataDirectory lock = DataDirectory.lock(dataDir, LOCK_FILE, "backup");
        final EventLoopGroup loop = NativeTransport.group(1, new DefaultThreadFactory("meshmq-backup-" + context.name(),
            true));
        final ReplicaLink link = link(context, live, false, dataDir, loop, ReplicaLink.Watcher.NONE);
        link.start();
        return new BackupNode(loop, link, lock);
    }

    /**
     * @return a link (not started) that keeps a replica of {@code live} (HOST:PORT) under {@code dataDir}, dialling
     * with the cluster's user and TLS settings; {@code spare} for a spare adopting a journal without a replica.
     */
    static ReplicaLink link(final BrokerContext context, final String live, final boolean spare, final Path dataDir,
        final EventLoopGroup loop, final ReplicaLink.Watcher watcher)
    {
        final Member member = Member.parse(live);
        final TlsSettings tlsSettings = !context.clusterTls() ? null :
            context.tls() != null ? context.tls() : TlsSettings.clientDefaults();
        return new ReplicaLink(live, member.host(), member.port(), context.name(), spare, dataDir, loop,
            context.clusterUser(), context.clusterPassword(), tlsSettings,
            tlsSettings == null ? null : tlsSettings.clientContext(), watcher);
    }

    @Override
    public void close()
    {
        link.close();
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        lock.close();
    }
}
