package io.meshmq.tck.replication;

import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.replication.HaSupport.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.meshmq.tck.replication.HaSupport.awaitCondition;

/**
 * A member that never returns (issue 19: "a new replica is then chosen for the node taken over, and the data is
 * copied to it while service goes on, so a second failure later is survived too"). Three members with
 * {@code ha = replication} and two witnesses, so that five votes survive two losses. Killing a member leaves two
 * journals without a replica — the one its neighbour's backup takes over, and the one it kept the replica of — and
 * no backup free to copy them: the other members' spares adopt them. Then a second member is killed, and the last
 * one serves all three journals with every message confirmed on any of them once.
 */
class ReReplicationTest
{
    private static final int MEMBERS = 3;
    private static final Pattern SPARE_READY = Pattern.compile("'n\\d-spare' is ready to take over journal (\\S+)");
    private static final Pattern SPARE_LETS_GO = Pattern.compile("'(n\\d-spare)' lets go of journal");

    @TempDir
    Path dir;
    private final BrokerProcess[] members = new BrokerProcess[MEMBERS];
    private final List<BrokerProcess> witnesses = new ArrayList<>();
    private final int[] ports = new int[MEMBERS];
    private final int[] backupPorts = new int[MEMBERS];
    private final int[] sparePorts = new int[MEMBERS];
    private final String[] quorum = new String[MEMBERS + 2];

    @AfterEach
    void stopAll() throws InterruptedException
    {
        for (final BrokerProcess process : members)
        {
            if (process != null)
            {
                process.close();
            }
        }
        for (final BrokerProcess witness : witnesses)
        {
            witness.close();
        }
    }

    @Test
    void shouldReplicateTheJournalsOfAMemberThatNeverReturnsAgainAndSurviveASecondLoss() throws Exception
    {
        startAll();
        // On n0's own journal, whose replica is another member's backup: it is taken over when n0 dies.
        HaSupport.sendTo("tcp://127.0.0.1:" + ports[0], 2_000_000, 200);
        final Set<Integer> sentToN0 = IntStream.range(2_000_000, 2_000_200).boxed().collect(Collectors.toSet());
        // On n1's own journal: the replica of it is n0's backup, lost with n0 — only a spare can copy it again.
        final Producer producer = new Producer(failoverUrls(1));
        try (producer)
        {
            awaitConfirmed(producer, 200, "before n0 is killed");
            final Map<String, String> before = HaSupport.served(members);
            final int[] seen = Arrays.stream(members).mapToInt(member -> member.output().size()).toArray();
            members[0].kill();
            final long killedNs = System.nanoTime();
            awaitCondition(() -> served().size() == MEMBERS && served().values().stream()
                .noneMatch(at -> at.startsWith("0/")), "n0's journal served by another member (" + before + ")",
                alive());
            awaitCondition(() -> linesSince(seen, SPARE_READY).size() == 2, "two spares in sync with the journals " +
                "left without a replica (" + linesSince(seen, SPARE_READY) + ")", alive());
            System.out.println("re-replication: n0 killed; its journal served again and the two journals without a " +
                "replica copied by spares (" + linesSince(seen, SPARE_READY) + ") " +
                (System.nanoTime() - killedNs) / 1_000_000 + " ms after the kill");
            // cluster status on a member says what its spare does.
            HaSupport.awaitStatus(members[2], "'n2-spare': replica of ", "127.0.0.1:" + ports[2]);
            awaitConfirmed(producer, 200, "after n0 was killed");

            members[1].kill();
            awaitCondition(() -> served().size() == MEMBERS && served().values().stream()
                .allMatch(at -> at.startsWith("2/")), "every journal served by n2, the last member (" + served() + ")",
                alive());
            awaitConfirmed(producer, 100, "after n1 was killed, on n1's journal where n2 serves it now");
        }
        final Set<Integer> confirmed = new HashSet<>(producer.confirmed());
        confirmed.addAll(sentToN0);
        final String survivor = IntStream.of(ports[2], backupPorts[2], sparePorts[2])
            .mapToObj(port -> "tcp://127.0.0.1:" + port).collect(Collectors.joining(","));
        HaSupport.assertEveryConfirmedMessageOnce(survivor, confirmed, producer.unconfirmed());
        System.out.println("re-replication: " + confirmed.size() + " confirmed messages after two members were " +
            "killed, each consumed once from the last member");
    }

    /**
     * A member that returns after its journals were re-replicated gets its places back: the spares give way to its
     * nodes (each live lets its spare go through the quorum first), which become the replicas again, and nothing
     * confirmed meanwhile is lost.
     */
    @Test
    void shouldGiveTheSparesPlacesBackToAMemberThatReturnsLater() throws Exception
    {
        startAll();
        final Producer producer = new Producer(failoverUrls(1));
        try (producer)
        {
            awaitConfirmed(producer, 100, "before n0 is killed");
            final int[] seen = Arrays.stream(members).mapToInt(member -> member.output().size()).toArray();
            members[0].kill();
            awaitCondition(() -> linesSince(seen, SPARE_READY).size() == 2, "two spares in sync with the journals " +
                "left without a replica", alive());
            awaitConfirmed(producer, 100, "while n0 is away");

            final int[] beforeReturn = Arrays.stream(members).mapToInt(member -> member.output().size()).toArray();
            members[0] = startMember(0);
            beforeReturn[0] = 0;
            awaitCondition(() -> members[0].linesContaining("is ready to take over").size() == 2, "n0's own node " +
                "and its backup replicas in sync again", members);
            // n0's own spare may let go too, of what it had adopted before it was killed.
            awaitCondition(() -> linesSince(beforeReturn, SPARE_LETS_GO).containsAll(Set.of("n1-spare", "n2-spare")),
                () -> "both spares letting go of their journals (" + linesSince(beforeReturn, SPARE_LETS_GO) +
                    "); what the spares said since n0 returned:\n" + spareLinesSince(beforeReturn), members);
            awaitConfirmed(producer, 100, "after n0 returned");
        }
        final String everywhere = IntStream.concat(IntStream.concat(Arrays.stream(ports), Arrays.stream(backupPorts)),
            Arrays.stream(sparePorts)).mapToObj(port -> "tcp://127.0.0.1:" + port).collect(Collectors.joining(","));
        HaSupport.assertEveryConfirmedMessageOnce(everywhere, producer.confirmed(), producer.unconfirmed());
    }

    private static void awaitConfirmed(final Producer producer, final int more, final String when)
        throws InterruptedException
    {
        final int before = producer.confirmedCount();
        awaitCondition(() -> producer.confirmedCount() >= before + more, more + " sends confirmed " + when);
    }

    /**
     * @return the journals a spare of a living member has said it is ready to take over since its output's line
     * {@code seen[member]}.
     */
    private Set<String> linesSince(final int[] seen, final Pattern pattern)
    {
        final Set<String> found = new HashSet<>();
        for (int i = 0; i < MEMBERS; i++)
        {
            if (!members[i].isAlive())
            {
                continue;
            }
            final List<String> output = members[i].output();
            for (final String line : output.subList(seen[i], output.size()))
            {
                final Matcher matched = pattern.matcher(line);
                if (matched.find())
                {
                    found.add(matched.group(1));
                }
            }
        }
        return found;
    }

    /**
     * @return the last lines about a spare each member printed since its output's line {@code seen[member]}, but its
     * link's (one per attempt while a live refuses it): a failure's own story, which the nodes' last lines alone may
     * have scrolled past.
     */
    private String spareLinesSince(final int[] seen)
    {
        final List<String> found = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++)
        {
            final List<String> output = members[i].output();
            final List<String> spare = output.subList(Math.min(seen[i], output.size()), output.size()).stream()
                .filter(line -> line.contains("-spare'") && !line.contains(".link.ReplicaLink:")).toList();
            found.addAll(spare.subList(Math.max(0, spare.size() - 12), spare.size()));
        }
        return String.join("\n", found);
    }

    private Map<String, String> served()
    {
        return HaSupport.served(members);
    }

    private BrokerProcess[] alive()
    {
        return Arrays.stream(members).filter(BrokerProcess::isAlive).toArray(BrokerProcess[]::new);
    }

    private String failoverUrls(final int first)
    {
        return IntStream.range(0, MEMBERS).mapToObj(i -> "tcp://127.0.0.1:" + ports[(first + i) % MEMBERS])
            .collect(Collectors.joining(",")) + "?retryInterval=50&retryIntervalMultiplier=1";
    }

    private BrokerProcess startMember(final int i) throws Exception
    {
        final String memberList = Arrays.stream(ports).mapToObj(port -> "127.0.0.1:" + port)
            .collect(Collectors.joining(","));
        return BrokerProcess.startNode(dir.resolve("n" + i), "n" + i, ports[i], "cluster = rereplicated",
            "cluster.members = " + memberList, "ha = replication", "ha.quorum = " + String.join(",", quorum),
            "ha.quorum-bind = " + quorum[i], "ha.backup-bind = 127.0.0.1:" + backupPorts[i],
            "ha.spare-bind = 127.0.0.1:" + sparePorts[i], "ha.re-replicate-after = 1000");
    }

    private void startAll() throws Exception
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            ports[i] = FreePorts.next();
            backupPorts[i] = FreePorts.next();
            sparePorts[i] = FreePorts.next();
        }
        for (int i = 0; i < quorum.length; i++)
        {
            quorum[i] = "127.0.0.1:" + FreePorts.next();
        }
        for (int w = 0; w < 2; w++)
        {
            witnesses.add(BrokerProcess.startNode(dir.resolve("w" + w), "w" + w, 0, "cluster = rereplicated",
                "ha.quorum = " + String.join(",", quorum), "ha.role = witness",
                "ha.quorum-bind = " + quorum[MEMBERS + w]));
        }
        for (int i = 0; i < MEMBERS; i++)
        {
            members[i] = startMember(i);
        }
        for (final BrokerProcess member : members)
        {
            awaitCondition(() -> served().size() == MEMBERS, "every member serving its journal", members);
            awaitCondition(() -> !member.linesContaining("-backup' is ready to take over").isEmpty(), "the backup " +
                "of " + member.url() + " in sync", members);
        }
    }
}
