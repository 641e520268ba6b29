package io.meshmq.cluster.link;

import io.meshmq.cluster.LargeStaging;
import io.meshmq.cluster.Member;
import io.meshmq.transport.TlsSettings;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link LargeLink} per member that large bodies cross to, made when the first must.
 * <p>
 * Thread safe: {@link #stage} hands over to the mesh's event loop, where the links live.
 */
public final class LargeLinks implements LargeStaging
{
    /**
     * What every large body link dials with.
     *
     * @param engine where outcomes go.
     * @param loop   the mesh's event loop, where the links live.
     * @param tls    TLS to the members (cluster.tls), or null for plain connections.
     */
    record Settings(ClusterInput engine, EventLoopGroup loop, String user, String password, TlsSettings tlsSettings,
        SslContext tls)
    {
    }

    private final Settings settings;
    private final Map<String, LargeLink> links = new HashMap<>();

    public LargeLinks(final ClusterInput engine, final EventLoopGroup loop, final String user, final String password,
        final TlsSettings tlsSettings, final SslContext tls)
    {
        this.settings = new Settings(engine, loop, user, password, tlsSettings, tls);
    }

    @Override
    public void stage(final String nodeId, final String member, final long bodyId, final Path file, final long length)
    {
        settings.loop().execute(() -> links.computeIfAbsent(member, address -> new LargeLink(Member.parse(address),
            settings)).send(new LargeLink.Body(nodeId, bodyId, file, length)));
    }

    /**
     * Closes every link; what they were sending is reported failed.
     */
    public void close()
    {
        settings.loop().execute(() -> links.values().forEach(LargeLink::close));
    }
}
