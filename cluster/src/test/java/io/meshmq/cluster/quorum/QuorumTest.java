package io.meshmq.cluster.quorum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Ratis members on loopback, as a live, a backup and a witness run them: changes are committed and read by any
 * of them, survive the loss of one voter and a restart of all, and need a majority.
 */
class QuorumTest
{
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    @Test
    void aMajorityCommitsAndReadsAMinorityCannot() throws Exception
    {
        final List<String> voters = threeVoters();
        final QuorumMember[] members = new QuorumMember[3];
        for (int i = 0; i < 3; i++)
        {
            members[i] = startMember(voters, i);
        }
        final Quorum quorum = new Quorum(new QuorumSettings("test", voters, voters.get(0)));
        open.add(quorum);

        final Ownership opened = quorum.change(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        assertEquals(1, opened.epoch());
        quorum.change(RegisterCommand.synced(opened, "backup"));
        assertEquals("backup", quorum.read("j1").ownership().replica());

        members[0].close();
        final RegisterAnswer claimed = quorum.change(RegisterCommand.claim("j1", 1, "backup", "h2:1"));
        assertTrue(claimed.isDone(), "two of three still commit: " + claimed);
        assertEquals(RegisterAnswer.Outcome.FENCED, quorum.change(RegisterCommand.drop(opened)).outcome());

        members[1].close();
        assertThrows(IOException.class, () -> quorum.read("j1"), "one of three cannot answer a read");
        assertThrows(IOException.class, () -> quorum.change(RegisterCommand.open("j2", "x", "h:1")));
        members[2].close();

        for (int i = 0; i < 3; i++)
        {
            open.add(startMember(voters, i));
        }
        final Ownership recovered = quorum.read("j1").ownership();
        assertEquals(new Ownership("j1", 2, "backup", "h2:1", null), recovered, "the log was replayed at restart");
    }

    @Test
    void readsAreAnsweredByTheLeaderWhichTellsAClaimHowLongTheJournalWentUnread() throws Exception
    {
        final List<String> voters = threeVoters();
        final QuorumMember[] members = new QuorumMember[3];
        for (int i = 0; i < 3; i++)
        {
            members[i] = startMember(voters, i);
            open.add(members[i]);
        }
        final Quorum quorum = new Quorum(new QuorumSettings("test", voters, voters.get(0)));
        open.add(quorum);
        final Quorum second = new Quorum(new QuorumSettings("test", voters, voters.get(1)));
        open.add(second);
        final Quorum third = new Quorum(new QuorumSettings("test", voters, voters.get(2)));
        open.add(third);
        second.lead(1_000);
        final Ownership opened = quorum.change(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        quorum.change(RegisterCommand.synced(opened, "backup"));
        // The client learnt of the second voter's lead by the changes; once the third leads, the second only follows,
        // yet would answer a read (Ratis's followers do, through the leader): the leader would not know of it.
        third.lead(1_000);
        quorum.read("j1");
        // Until the old leader would have stepped down, had it been cut off, the new one counts from then.
        passes(QuorumMember.DEPOSED_READS_MS + 100);

        final long readAskedNs = System.nanoTime();
        assertEquals("live", quorum.readLease("j1", "live").ownership().owner());
        final long readAnsweredNs = System.nanoTime();
        passes(200); // the journal goes unread
        final long claimAskedNs = System.nanoTime();
        final RegisterAnswer claimed = quorum.change(RegisterCommand.claim("j1", 1, "backup", "h2:1"));
        final long claimAnsweredNs = System.nanoTime();

        assertTrue(claimed.isDone(), claimed.toString());
        assertTrue(claimed.unreadNs() >= claimAskedNs - readAnsweredNs,
            "the read was answered by the leader, which counts from it: " + claimed.unreadNs());
        assertTrue(claimed.unreadNs() <= claimAnsweredNs - readAskedNs,
            "never counted from before the read: " + claimed.unreadNs());

        open.remove(members[2]);
        members[2].close();
        assertEquals("backup", quorum.read("j1").ownership().owner(),
            "answered by the leader the others elect, though the one asked first names the dead one a while");
    }

    @Test
    void settingsThatCannotMakeAQuorumAreRefusedWithTheReason()
    {
        final IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
            () -> new QuorumSettings("c", List.of("h:1", "h:2"), "h:1"));
        assertTrue(two.getMessage().contains("at least three"), two.getMessage());
        final IllegalArgumentException notAmong = assertThrows(IllegalArgumentException.class,
            () -> new QuorumSettings("c", List.of("h:1", "h:2", "h:3"), "h:4"));
        assertTrue(notAmong.getMessage().contains("ha.quorum-bind = h:4"), notAmong.getMessage());
        final IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
            () -> new QuorumSettings("c", List.of("h:1", "h:2", "h"), "h:1"));
        assertTrue(port.getMessage().contains("'h' is not HOST:PORT"), port.getMessage());
    }

    private static List<String> threeVoters() throws IOException
    {
        return distinctFreePorts(3).stream().map(port -> "127.0.0.1:" + port).toList();
    }

    /** Member i of the voters, its log under its own directory (the same after a restart). */
    private QuorumMember startMember(final List<String> voters, final int i) throws IOException
    {
        return QuorumMember.start(new QuorumSettings("test", voters, voters.get(i)), dir.resolve("m" + i));
    }

    private static void passes(final long ms)
    {
        final long fromNs = System.nanoTime();
        while (System.nanoTime() - fromNs < MILLISECONDS.toNanos(ms))
        {
            LockSupport.parkNanos(MILLISECONDS.toNanos(1));
        }
    }

    /** Each socket stays open until all are bound: the kernel may give a closed socket's port to the next one. */
    private static List<Integer> distinctFreePorts(final int count) throws IOException
    {
        final List<ServerSocket> sockets = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                socket.close();
            }
        }
    }
}
