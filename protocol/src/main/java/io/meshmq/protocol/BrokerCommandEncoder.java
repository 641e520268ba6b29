package io.meshmq.protocol;

/**
 * Encodes every frame a client sends its broker (the c&gt;b rows of {@link FrameType}); the broker's acceptor decodes
 * them. Each method writes into {@code out} from its start; most write a whole frame and return it ready to write.
 * Frames with a list (a transaction, a batch of acks) are begun with its count, then an entry method per element,
 * then ended by the caller with {@link WireWriter#endFrame()}; {@link #beginSend} leaves the frame open for the
 * message.
 * <p>
 * Stateless; {@code out} belongs to the caller's thread.
 */
public final class BrokerCommandEncoder
{
    private BrokerCommandEncoder()
    {
    }

    /**
     * The first frame of a connection.
     *
     * @param role {@link FrameDescriptor#ROLE_CLIENT} or {@link FrameDescriptor#ROLE_CLUSTER}.
     */
    public static WireWriter hello(final WireWriter out, final byte role, final String clientId, final String user,
        final String password)
    {
        return hello(out, role, clientId, user, password, 0, false);
    }

    /**
     * @param connectionTtlMs how long the broker may hear nothing from this client before it takes it for dead (the
     *                        client pings more often); 0: never.
     * @param wantsTopology   true for a client that fails over: a cluster member tells it its live members.
     */
    public static WireWriter hello(final WireWriter out, final byte role, final String clientId, final String user,
        final String password, final int connectionTtlMs, final boolean wantsTopology)
    {
        out.reset().beginFrame(FrameType.HELLO)
            .writeInt(FrameDescriptor.MAGIC)
            .writeShort(FrameDescriptor.PROTOCOL_VERSION)
            .writeByte(role)
            .writeString(clientId)
            .writeString(user)
            .writeString(password);
        if (connectionTtlMs > 0 || wantsTopology)
        {
            out.writeInt(connectionTtlMs);
        }
        if (wantsTopology)
        {
            out.writeBoolean(true);
        }
        return out.endFrame();
    }

    /**
     * A node's HELLO to another member when it has a cluster user: no password, a nonce to prove it with instead.
     */
    public static WireWriter clusterHello(final WireWriter out, final String user, final String proofNonce,
        final int connectionTtlMs)
    {
        return out.reset().beginFrame(FrameType.HELLO)
            .writeInt(FrameDescriptor.MAGIC)
            .writeShort(FrameDescriptor.PROTOCOL_VERSION)
            .writeByte(FrameDescriptor.ROLE_CLUSTER)
            .writeString(null)
            .writeString(user)
            .writeString(null)
            .writeInt(connectionTtlMs)
            .writeBoolean(false)
            .writeString(proofNonce)
            .endFrame();
    }

    public static WireWriter clusterProof(final WireWriter out, final byte[] clientProof)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_PROOF).writeBytes(clientProof).endFrame();
    }

    /**
     * @param flags            {@link ConsumerFlags}.
     * @param subscriptionName a durable or shared subscription's name, else null.
     */
    public static WireWriter createConsumer(final WireWriter out, final long correlationId, final long sessionId,
        final long consumerId, final byte destinationType, final String destinationName, final String selector,
        final byte flags, final String subscriptionName, final int credit, final int creditBytes)
    {
        return out.reset().beginFrame(FrameType.CREATE_CONSUMER)
            .writeLong(correlationId)
            .writeLong(sessionId)
            .writeLong(consumerId)
            .writeByte(destinationType)
            .writeString(destinationName)
            .writeString(selector)
            .writeByte(flags)
            .writeString(subscriptionName)
            .writeInt(credit)
            .writeInt(creditBytes)
            .endFrame();
    }

    public static WireWriter setClientId(final WireWriter out, final long correlationId, final String clientId)
    {
        return out.reset().beginFrame(FrameType.SET_CLIENT_ID).writeLong(correlationId).writeString(clientId).endFrame();
    }

    public static WireWriter unsubscribe(final WireWriter out, final long correlationId, final String name)
    {
        return out.reset().beginFrame(FrameType.UNSUBSCRIBE).writeLong(correlationId).writeString(name).endFrame();
    }

    /**
     * @param verb one of {@link AdminVerbs}.
     */
    public static WireWriter admin(final WireWriter out, final long correlationId, final String verb,
        final String... args)
    {
        out.reset().beginFrame(FrameType.ADMIN).writeLong(correlationId).writeString(verb).writeInt(args.length);
        for (final String arg : args)
        {
            out.writeString(arg);
        }
        return out.endFrame();
    }

    /**
     * Begins a CLOSE_CONSUMER frame; {@link #deliveryId} for each delivery the session keeps, then end it.
     */
    public static WireWriter beginCloseConsumer(final WireWriter out, final long correlationId, final long consumerId,
        final int kept)
    {
        return out.reset().beginFrame(FrameType.CLOSE_CONSUMER).writeLong(correlationId).writeLong(consumerId)
            .writeInt(kept);
    }

    public static WireWriter deliveryId(final WireWriter out, final long deliveryId)
    {
        return out.writeLong(deliveryId);
    }

    /**
     * Begins a RECOVER frame; {@link #delivery} for each delivery the application saw, then end it.
     */
    public static WireWriter beginRecover(final WireWriter out, final long correlationId, final long sessionId,
        final int seen)
    {
        return out.reset().beginFrame(FrameType.RECOVER).writeLong(correlationId).writeLong(sessionId).writeInt(seen);
    }

    /**
     * One delivery in a list: RECOVER, ACK_BATCH, and the acks of a transaction.
     */
    public static WireWriter delivery(final WireWriter out, final long consumerId, final long deliveryId)
    {
        return out.writeLong(consumerId).writeLong(deliveryId);
    }

    public static WireWriter closeSession(final WireWriter out, final long correlationId, final long sessionId)
    {
        return out.reset().beginFrame(FrameType.CLOSE_SESSION).writeLong(correlationId).writeLong(sessionId).endFrame();
    }

    /**
     * Begins a SEND frame: the caller writes the encoded message, then ends it.
     *
     * @param correlationId 0 for a send nobody waits for.
     */
    public static WireWriter beginSend(final WireWriter out, final long correlationId, final byte destinationType,
        final String destinationName)
    {
        return out.reset().beginFrame(FrameType.SEND).writeLong(correlationId).writeByte(destinationType)
            .writeString(destinationName);
    }

    /**
     * Begins a {@link FrameType#RESEND}: a message sent again after a failover.
     *
     * @param previousScope the temporary scope of the cluster node the message was sent to before.
     */
    public static WireWriter beginResend(final WireWriter out, final long correlationId, final byte destinationType,
        final String destinationName, final String previousScope)
    {
        return out.reset().beginFrame(FrameType.RESEND).writeLong(correlationId).writeByte(destinationType)
            .writeString(destinationName).writeString(previousScope);
    }

    /**
     * @param frameType {@link FrameType#CREATE_TEMP} or {@link FrameType#DELETE_TEMP}.
     */
    public static WireWriter temporary(final WireWriter out, final byte frameType, final long correlationId,
        final byte destinationType, final String name)
    {
        return out.reset().beginFrame(frameType).writeLong(correlationId).writeByte(destinationType).writeString(name)
            .endFrame();
    }

    /**
     * Begins a COMMIT frame: then {@link #sends} and the sends, {@link #acks} and the acks, and end it.
     */
    public static WireWriter beginCommit(final WireWriter out, final long correlationId)
    {
        return out.reset().beginFrame(FrameType.COMMIT).writeLong(correlationId);
    }

    /**
     * Begins an XA_PREPARE frame: then the branch's work as for {@link #beginCommit}.
     */
    public static WireWriter beginXaPrepare(final WireWriter out, final long correlationId, final WireXid xid)
    {
        return xid.write(out.reset().beginFrame(FrameType.XA_PREPARE).writeLong(correlationId));
    }

    public static WireWriter sends(final WireWriter out, final int count)
    {
        return out.writeInt(count);
    }

    public static WireWriter send(final WireWriter out, final byte destinationType, final String destinationName,
        final byte[] message)
    {
        return out.writeByte(destinationType).writeString(destinationName).writeBytes(message);
    }

    public static WireWriter acks(final WireWriter out, final int count)
    {
        return out.writeInt(count);
    }

    /**
     * @param frameType {@link FrameType#XA_COMMIT}, {@link FrameType#XA_ROLLBACK} or {@link FrameType#XA_FORGET}.
     */
    public static WireWriter xaComplete(final WireWriter out, final byte frameType, final long correlationId,
        final WireXid xid)
    {
        return xid.write(out.reset().beginFrame(frameType).writeLong(correlationId)).endFrame();
    }

    public static WireWriter duplicateCheck(final WireWriter out, final long correlationId, final byte destinationType,
        final String destinationName, final String messageId)
    {
        return out.reset().beginFrame(FrameType.DUPLICATE_CHECK).writeLong(correlationId).writeByte(destinationType)
            .writeString(destinationName).writeString(messageId).endFrame();
    }

    /**
     * Ends a COMMIT frame's body with the id the broker remembers it by.
     */
    public static WireWriter commitId(final WireWriter out, final String commitId)
    {
        return out.writeString(commitId);
    }

    public static WireWriter commitCheck(final WireWriter out, final long correlationId, final String commitId)
    {
        return out.reset().beginFrame(FrameType.COMMIT_CHECK).writeLong(correlationId).writeString(commitId)
            .endFrame();
    }

    /**
     * The next {@code length} bytes of a large message's body, from {@code bytes} at {@code offset}.
     */
    public static WireWriter largeChunk(final WireWriter out, final long uploadId, final byte[] bytes, final int offset,
        final int length)
    {
        return out.reset().beginFrame(FrameType.LARGE_CHUNK).writeLong(uploadId).writeRaw(bytes, offset, length)
            .endFrame();
    }

    public static WireWriter largeCancel(final WireWriter out, final long uploadId)
    {
        return out.reset().beginFrame(FrameType.LARGE_CANCEL).writeLong(uploadId).endFrame();
    }

    public static WireWriter largeRead(final WireWriter out, final long correlationId, final long bodyId,
        final long position, final int length)
    {
        return out.reset().beginFrame(FrameType.LARGE_READ).writeLong(correlationId).writeLong(bodyId)
            .writeLong(position).writeInt(length).endFrame();
    }

    public static WireWriter largeDone(final WireWriter out, final long bodyId)
    {
        return out.reset().beginFrame(FrameType.LARGE_DONE).writeLong(bodyId).endFrame();
    }

    public static WireWriter xaRecover(final WireWriter out, final long correlationId)
    {
        return out.reset().beginFrame(FrameType.XA_RECOVER).writeLong(correlationId).endFrame();
    }

    public static WireWriter ack(final WireWriter out, final long consumerId, final long deliveryId)
    {
        return out.reset().beginFrame(FrameType.ACK).writeLong(consumerId).writeLong(deliveryId).endFrame();
    }

    /**
     * Begins an ACK_BATCH frame: {@link #delivery} for each, then end it.
     *
     * @param correlationId 0 for acks nobody waits for.
     */
    public static WireWriter beginAckBatch(final WireWriter out, final long correlationId, final int count)
    {
        return out.reset().beginFrame(FrameType.ACK_BATCH).writeLong(correlationId).writeInt(count);
    }

    /**
     * Begins a RELEASE frame: {@link #released} for each, then end it.
     *
     * @param correlationId 0 for a release nobody waits for.
     */
    public static WireWriter beginRelease(final WireWriter out, final long correlationId, final int count)
    {
        return out.reset().beginFrame(FrameType.RELEASE).writeLong(correlationId).writeInt(count);
    }

    /**
     * @param redelivered whether the application saw it (it then counts as delivered).
     */
    public static WireWriter released(final WireWriter out, final long consumerId, final long deliveryId,
        final boolean redelivered)
    {
        return out.writeLong(consumerId).writeLong(deliveryId).writeBoolean(redelivered);
    }

    /**
     * @param consumerId 0 for every consumer of the connection (a stopped connection).
     */
    public static WireWriter pause(final WireWriter out, final long consumerId, final boolean paused)
    {
        return out.reset().beginFrame(FrameType.PAUSE).writeLong(consumerId).writeBoolean(paused).endFrame();
    }

    public static WireWriter forceDelivery(final WireWriter out, final long correlationId, final long consumerId)
    {
        return out.reset().beginFrame(FrameType.FORCE_DELIVERY).writeLong(correlationId).writeLong(consumerId).endFrame();
    }

    public static WireWriter credit(final WireWriter out, final long consumerId, final int credit, final int bytes)
    {
        return out.reset().beginFrame(FrameType.CREDIT).writeLong(consumerId).writeInt(credit).writeInt(bytes)
            .endFrame();
    }

    public static WireWriter goodbye(final WireWriter out, final long correlationId)
    {
        return out.reset().beginFrame(FrameType.GOODBYE).writeLong(correlationId).endFrame();
    }

    /**
     * Asks the broker for a PONG with the same token.
     */
    public static WireWriter ping(final WireWriter out, final long token)
    {
        return out.reset().beginFrame(FrameType.PING).writeLong(token).endFrame();
    }

    public static WireWriter pong(final WireWriter out, final long token)
    {
        return out.reset().beginFrame(FrameType.PONG).writeLong(token).endFrame();
    }
}
