package io.meshmq.tck.cluster;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.BrokerEventEncoder;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.tck.crash.BrokerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node told to link to something that is not a member of its cluster (an address added by mistake, or by someone
 * holding the manage permission) gives it neither the cluster user's password nor anything about the cluster: the
 * fake member here answers the handshake in each way it could and records every byte the node sends it.
 */
class FakeMemberTest
{
    private static final String PASSWORD = "mesh-secret-4711";

    @TempDir
    Path dir;

    /** How the fake answers the node's HELLO. */
    enum Answer
    {
        /** Says nothing: all it learns is the HELLO. */
        NOTHING,
        /** Takes the node without asking for proof, as a broker with no users would. */
        HELLO_OK,
        /** Challenges as a member would, then cannot prove it holds the hash (it does not). */
        FORGED_SIGNATURE
    }

    /** A listening socket that answers one way and keeps what it was sent. */
    private static final class FakeMember implements AutoCloseable
    {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final Set<Byte> frameTypes = ConcurrentHashMap.newKeySet();
        private final Thread thread;

        FakeMember(final Answer answer) throws IOException
        {
            thread = new Thread(() -> serve(answer), "fake-member");
            thread.setDaemon(true);
            thread.start();
        }

        String member()
        {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private void serve(final Answer answer)
        {
            while (!server.isClosed())
            {
                try (Socket socket = server.accept())
                {
                    final DataInputStream in = new DataInputStream(socket.getInputStream());
                    final OutputStream out = socket.getOutputStream();
                    byte[] frame;
                    while ((frame = readFrame(in)) != null)
                    {
                        frameTypes.add(frame[0]);
                        if (frame[0] == FrameType.HELLO)
                        {
                            answerHello(answer, frame, out);
                        }
                        else if (frame[0] == FrameType.CLUSTER_PROOF)
                        {
                            write(out, BrokerEventEncoder.clusterProven(new WireWriter(), new byte[32]));
                            write(out, BrokerEventEncoder.helloOk(new WireWriter(), 1, "fake", "fake-node.1", 0));
                        }
                    }
                }
                catch (final IOException ex)
                {
                    // the node closed the link, or the test closed the fake: accept the next attempt, if any
                }
            }
        }

        private static void answerHello(final Answer answer, final byte[] frame, final OutputStream out)
            throws IOException
        {
            switch (answer)
            {
                case HELLO_OK:
                    write(out, BrokerEventEncoder.helloOk(new WireWriter(), 1, "fake", "fake-node.1", 0));
                    break;
                case FORGED_SIGNATURE:
                {
                    final WireReader hello = new WireReader().wrap(new UnsafeBuffer(frame), 1, frame.length - 1);
                    hello.readInt();
                    hello.readShort();
                    hello.readByte();
                    hello.readString();
                    hello.readString();
                    hello.readString();
                    hello.readInt();
                    hello.readBoolean();
                    final String nonce = hello.readString();
                    write(out, BrokerEventEncoder.clusterChallenge(new WireWriter(), new byte[16], 1000, nonce + "fake"));
                    break;
                }
                default:
                    break;
            }
        }

        private synchronized byte[] readFrame(final DataInputStream in) throws IOException
        {
            final byte[] length = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH];
            try
            {
                in.readFully(length);
            }
            catch (final java.io.EOFException ex)
            {
                return null;
            }
            final byte[] frame = new byte[ByteBuffer.wrap(length).order(FrameDescriptor.BYTE_ORDER).getInt()];
            in.readFully(frame);
            received.write(length);
            received.write(frame);
            return frame;
        }

        private static void write(final OutputStream out, final WireWriter frame) throws IOException
        {
            out.write(frame.array(), 0, frame.position());
            out.flush();
        }

        synchronized String receivedText()
        {
            return received.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws Exception
        {
            server.close();
            thread.join(5_000);
        }
    }

    private static final String[] SETTINGS = {
        "user.mesh = " + PasswordHash.hash(PASSWORD), "user.mesh.roles = cluster, admin",
        "cluster = secure", "cluster.user = mesh", "cluster.password = " + PASSWORD};

    @Test
    void shouldRefuseAClusterConnectionThatSendsItsPassword() throws Exception
    {
        try (BrokerProcess node = BrokerProcess.startNode(dir.resolve("n1"), "n1", 0, SETTINGS);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), URI.create(node.url()).getPort()))
        {
            socket.setSoTimeout(10_000);
            FakeMember.write(socket.getOutputStream(),
                BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLUSTER, null, "mesh", PASSWORD));
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.contains("must prove its user's password"), answer);
        }
    }

    @Test
    void shouldGiveAFakeMemberNeitherThePasswordNorTheCluster() throws Exception
    {
        try (BrokerProcess node = BrokerProcess.startNode(dir.resolve("n1"), "n1", 0, SETTINGS))
        {
            final ClusterNodes.Status status = new ClusterNodes.Status(node.url(), "mesh", PASSWORD);
            for (final Answer answer : Answer.values())
            {
                try (FakeMember fake = new FakeMember(answer); MeshAdmin admin = MeshAdmin.connect(node.url(), "mesh", PASSWORD))
                {
                    admin.call(AdminVerbs.CLUSTER_ADD, fake.member());
                    switch (answer)
                    {
                        case NOTHING:
                            ClusterNodes.poll("the node's HELLO", 30_000, () -> fake.frameTypes.contains(FrameType.HELLO));
                            break;
                        case HELLO_OK:
                            ClusterNodes.poll("the fake to be refused for not checking", 30_000,
                                () -> status.memberState(fake.member()).contains("without checking its credentials"));
                            break;
                        default:
                            ClusterNodes.poll("the fake to be refused for its signature", 30_000,
                                () -> status.memberState(fake.member()).contains("could not prove it knows the password " +
                                    "hash of cluster user 'mesh'"));
                            assertTrue(fake.frameTypes.contains(FrameType.CLUSTER_PROOF), "it was answered with a proof");
                            break;
                    }
                    admin.call(AdminVerbs.CLUSTER_REMOVE, fake.member());
                    final String sent = fake.receivedText();
                    assertFalse(sent.contains(PASSWORD), answer + ": the password crossed the wire");
                    assertFalse(fake.frameTypes.contains(FrameType.CLUSTER_JOIN), answer + ": the node joined the fake");
                    assertFalse(fake.frameTypes.contains(FrameType.CLUSTER_SEND), answer + ": the node sent it messages");
                }
            }
        }
    }
}
