package io.meshmq.tck.replication;

import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.net.Namespaces;
import io.meshmq.tck.replication.HaSupport.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.meshmq.tck.replication.HaSupport.assertEveryConfirmedMessageOnce;
import static io.meshmq.tck.replication.HaSupport.awaitCondition;
import static io.meshmq.tck.replication.HaSupport.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No split brain (issue 19): a live, its backup and a witness, each in a network namespace of the test's own. The
 * live is cut away from both under load (its packets dropped, its connections left open, as a pulled cable does): it
 * stops serving within its lease, the backup on the majority side takes its journal over and the clients carry on
 * there; healed, the old live rejoins as the new live's replica. Every message confirmed on either side is there
 * once.
 */
class PartitionTest
{
    private static final int BROKER_PORT = 7918;
    private static final int QUORUM_PORT = 7928;

    @TempDir
    Path dir;

    @Test
    void shouldStopTheLiveCutAwayAndServeItsJournalOnTheMajoritySide() throws Exception
    {
        final String whyNot = Namespaces.whyNot();
        assumeTrue(whyNot == null, whyNot);
        final List<BrokerProcess> processes = new ArrayList<>();
        try (Namespaces net = Namespaces.create(3))
        {
            try
            {
                final String quorum = net.address(0) + ":" + QUORUM_PORT + "," + net.address(1) + ":" + QUORUM_PORT +
                    "," + net.address(2) + ":" + QUORUM_PORT;
                final String live = net.address(0) + ":" + BROKER_PORT;
                final String backupAddress = net.address(1) + ":" + BROKER_PORT;
                final BrokerProcess witness = start(net, 2, "witness", quorum, "ha.role = witness");
                processes.add(witness);
                BrokerProcess liveNode = start(net, 0, "live", quorum);
                processes.add(liveNode);
                final BrokerProcess backup = start(net, 1, "backup", quorum, "ha.role = backup", "ha.live = " + live);
                processes.add(backup);
                awaitStatus(liveNode, "replica backup (in sync)", live);
                HaSupport.awaitReady(backup);

                final Producer producer = new Producer("tcp://" + live + ",tcp://" + backupAddress +
                    "?retryInterval=50&retryIntervalMultiplier=1&connectTimeout=1000");
                try (producer)
                {
                    awaitCondition(() -> producer.confirmedCount() >= 200, "200 sends confirmed before the cut", liveNode);
                    net.cut(0);
                    final long cutNs = System.nanoTime();
                    final BrokerProcess cutAway = liveNode;
                    awaitCondition(() -> !cutAway.linesContaining("stopped serving: no majority of the quorum").isEmpty(),
                        "the live cut away stopping", liveNode);
                    System.out.println("partition: the live cut away stopped serving " +
                        (System.nanoTime() - cutNs) / 1_000_000 + " ms after the cut (polled)");
                    awaitCondition(() -> producer.confirmedByAnotherSince(cutNs), "sends confirmed after the cut", backup,
                        witness, liveNode);
                    System.out.println("partition: cut to the first send confirmed on the majority side: " +
                        producer.msToAnotherSince(cutNs) + " ms");
                    assertTrue(!backup.linesContaining("took journal").isEmpty(), backup.recentOutput());
                    final int afterCut = producer.confirmedCount();
                    awaitCondition(() -> producer.confirmedCount() >= afterCut + 200, "200 more sends on the new live",
                        backup);

                    net.heal(0);
                    awaitCondition(() -> !cutAway.linesContaining("MeshMQ backup 'live' of " + backupAddress).isEmpty(),
                        "the old live rejoining as the new live's replica", liveNode, backup);
                    awaitStatus(backup, "replica live (in sync)", backupAddress);
                    HaSupport.awaitReady(cutAway);
                    final int healed = producer.confirmedCount();
                    awaitCondition(() -> producer.confirmedCount() >= healed + 100, "100 sends with the replica back",
                        backup);
                }
                assertEveryConfirmedMessageOnce("tcp://" + backupAddress, producer.confirmed(), producer.unconfirmed());
            }
            finally
            {
                for (final BrokerProcess process : processes)
                {
                    process.close();
                }
            }
        }
    }

    /**
     * Three members with {@code ha = replication}, no other process: the member cut away stops serving its journal,
     * the previous member's colocated backup serves it on the majority side; healed, the member cut away becomes its
     * journal's replica and its own backup copies its next member's journal again.
     */
    @Test
    void shouldServeTheJournalOfAMemberCutAwayOnTheMajoritySide() throws Exception
    {
        final String whyNot = Namespaces.whyNot();
        assumeTrue(whyNot == null, whyNot);
        final List<BrokerProcess> members = new ArrayList<>();
        try (Namespaces net = Namespaces.create(3))
        {
            try
            {
                final List<String> addresses = new ArrayList<>();
                final List<String> voters = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    addresses.add(net.address(i) + ":" + BROKER_PORT);
                    voters.add(net.address(i) + ":" + QUORUM_PORT);
                }
                for (int i = 0; i < 3; i++)
                {
                    members.add(start(net, i, "n" + i, String.join(",", voters), "ha = replication",
                        "cluster.members = " + String.join(",", addresses)));
                }
                for (final BrokerProcess member : members)
                {
                    HaSupport.awaitReady(member);
                }
                // The members sorted by address: the last one's backup keeps the first one's journal.
                final List<String> sorted = addresses.stream().sorted().toList();
                final int cut = addresses.indexOf(sorted.get(0));
                final int heir = addresses.indexOf(sorted.get(2));
                final String heirBackup = net.address(heir) + ":" + (BROKER_PORT + 100);
                final BrokerProcess cutAway = members.get(cut);
                final Producer producer = new Producer("tcp://" + addresses.get(cut) + ",tcp://" +
                    addresses.get((cut + 1) % 3) + ",tcp://" + addresses.get((cut + 2) % 3) +
                    "?retryInterval=50&retryIntervalMultiplier=1&connectTimeout=1000");
                try (producer)
                {
                    awaitCondition(() -> producer.confirmedCount() >= 200, "200 sends confirmed before the cut",
                        cutAway);
                    net.cut(cut);
                    final long cutNs = System.nanoTime();
                    awaitCondition(() -> !cutAway.linesContaining("stopped serving: no majority of the quorum")
                        .isEmpty(), "the member cut away stopping", cutAway);
                    System.out.println("colocated partition: the member cut away stopped serving " +
                        (System.nanoTime() - cutNs) / 1_000_000 + " ms after the cut (polled)");
                    awaitCondition(() -> !members.get(heir).linesContaining("took journal").isEmpty(),
                        "the previous member's backup taking the journal over", members.toArray(BrokerProcess[]::new));
                    awaitCondition(() -> producer.confirmedByAnotherSince(cutNs), "sends confirmed after the cut",
                        members.toArray(BrokerProcess[]::new));
                    System.out.println("colocated partition: cut to the first send confirmed on the majority side: " +
                        producer.msToAnotherSince(cutNs) + " ms");

                    net.heal(cut);
                    awaitCondition(() -> !cutAway.linesContaining("MeshMQ backup 'n" + cut + "' of " + heirBackup)
                        .isEmpty(), "the member cut away rejoining as its journal's replica", cutAway,
                        members.get(heir));
                    awaitCondition(() -> !cutAway.linesContaining("'n" + cut + "' is ready to take over").isEmpty(),
                        "the member cut away holding its journal's replica in sync", cutAway, members.get(heir));
                    final int healed = producer.confirmedCount();
                    awaitCondition(() -> producer.confirmedCount() >= healed + 100, "100 sends after the heal",
                        members.toArray(BrokerProcess[]::new));
                }
                assertEveryConfirmedMessageOnce(addresses.stream().map(address -> "tcp://" + address)
                    .collect(java.util.stream.Collectors.joining(",")) + ",tcp://" + heirBackup, producer.confirmed(),
                    producer.unconfirmed());
            }
            finally
            {
                for (final BrokerProcess member : members)
                {
                    member.close();
                }
            }
        }
    }

    private BrokerProcess start(final Namespaces net, final int node, final String name, final String quorum,
        final String... settings) throws Exception
    {
        final List<String> lines = new ArrayList<>(List.of("cluster = ha", "ha.quorum = " + quorum,
            "ha.quorum-bind = " + net.address(node) + ":" + QUORUM_PORT));
        lines.addAll(List.of(settings));
        return BrokerProcess.startNodeIn(net.runner(node), dir.resolve(name), name, net.address(node), BROKER_PORT,
            lines.toArray(String[]::new));
    }
}
