package io.meshmq.tck.replication;

import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.tls.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.meshmq.tck.replication.HaSupport.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The quorum's port with cluster.tls (issue 19): voters speak mutual TLS, so a live and a witness whose certificates
 * the cluster's trust store signed make a majority and serve, while a process on the witness's vote address with a
 * certificate nobody trusts (and the witness's own log) is no vote at all: the live, needing two votes, does not serve with it, and serves again
 * as soon as the real witness is back.
 */
class QuorumTlsTest
{
    /** How long the live is watched not serving beside the stranger: a real witness gets it served in about 2 s. */
    private static final long STRANGER_WATCH_MS = 6_000;

    @TempDir
    Path dir;
    private final List<BrokerProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException
    {
        for (final BrokerProcess process : processes)
        {
            process.close();
        }
    }

    @Test
    void shouldCountOnlyVotersWithATrustedCertificate() throws Exception
    {
        final TestCertificates certificates = TestCertificates.make(Files.createDirectories(dir.resolve("stores")));
        final String[] quorum =
            {"127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next(), "127.0.0.1:" + FreePorts.next()};
        final int livePort = FreePorts.next();
        final List<String> common = List.of("cluster = secure", "ha.quorum = " + String.join(",", quorum),
            "cluster.tls = true", "tls.truststore = " + certificates.trustStore,
            "tls.truststore-password = " + TestCertificates.PASSWORD,
            "tls.keystore-password = " + TestCertificates.PASSWORD);

        BrokerProcess witness = start("witness", 0, common, "ha.role = witness", "ha.quorum-bind = " + quorum[2],
            "tls.keystore = " + certificates.brokerStore);
        final BrokerProcess live = start("live", livePort, common, "ha.quorum-bind = " + quorum[0],
            "tls.keystore = " + certificates.brokerStore);

        // Without the witness there is no majority: the live stops.
        witness.close();
        awaitCondition(() -> !live.linesContaining("stopped serving: no majority of the quorum").isEmpty(),
            "the live stopping without its witness", live);
        final int served = live.linesContaining("MeshMQ broker 'live' listening on").size();

        // The witness's own vote and log, with a certificate nobody trusts: without TLS it would be a vote.
        final BrokerProcess stranger = start("witness", 0, common, "ha.role = witness",
            "ha.quorum-bind = " + quorum[2], "tls.keystore = " + certificates.strangerStore);
        final long until = System.currentTimeMillis() + STRANGER_WATCH_MS;
        while (System.currentTimeMillis() < until)
        {
            assertEquals(served, live.linesContaining("MeshMQ broker 'live' listening on").size(),
                "the live served with a voter whose certificate nobody trusts:\n" + live.recentOutput());
            Thread.sleep(100);
        }
        stranger.close();

        witness = start("witness", 0, common, "ha.role = witness", "ha.quorum-bind = " + quorum[2],
            "tls.keystore = " + certificates.brokerStore);
        awaitCondition(() -> live.linesContaining("MeshMQ broker 'live' listening on").size() > served,
            "the live serving again with its real witness", live, witness);
    }

    private BrokerProcess start(final String name, final int port, final List<String> common, final String... more)
        throws Exception
    {
        final List<String> lines = new ArrayList<>(common);
        lines.addAll(List.of(more));
        final BrokerProcess process = BrokerProcess.startNode(dir.resolve(name), name, port,
            lines.toArray(String[]::new));
        processes.add(process);
        return process;
    }
}
