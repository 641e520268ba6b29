package io.meshmq.cluster;

import java.nio.file.Path;

/**
 * How a large body crosses to another node ahead of the forward that names it: over a second connection to that
 * node, opened when needed, so the core connection never carries it. The outcome comes back to the processor as a
 * {@link ClusterCommand.LargeStaged}.
 * <p>
 * Thread safe: asked on the processor thread, done on the cluster's event loop.
 */
public interface LargeStaging
{
    /**
     * Sends the body in {@code file} to {@code member} (HOST:PORT), to be kept there under {@code bodyId}.
     */
    void stage(String nodeId, String member, long bodyId, Path file, long length);
}
