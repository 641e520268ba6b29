package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.ProtocolException;

import java.util.List;
import java.util.Map;

/**
 * Where messages go that can no longer be delivered where they are: expired ones to their address's expiry
 * address, ones delivered too often to its dead-letter address, each a copy with properties saying why. With no
 * such address configured the message is dropped, and that is logged. An operator's move to another queue goes the
 * same way.
 * <p>
 * Not thread safe: used only on the processor thread.
 */
final class DeadLetters
{
    private static final System.Logger LOG = System.getLogger(DeadLetters.class.getName());

    private final AddressSettingsMatcher settings;
    private final Destinations destinations;
    private final Durability durability;
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();

    DeadLetters(final AddressSettingsMatcher settings, final Destinations destinations, final Durability durability)
    {
        this.settings = settings;
        this.destinations = destinations;
        this.durability = durability;
    }

    /**
     * Moves an expired message (already taken out of its queue) to its expiry address.
     *
     * @return the queue the copy went to, for the caller to dispatch; null if the message was dropped.
     */
    ServerQueue expire(final ServerQueue queue, final MessageReference reference)
    {
        queue.messagesExpired++;
        return moveToAddress(queue, reference, queue.settings(settings).expiryAddress(), Map.of(
            Processor.ORIGINAL_DESTINATION_PROPERTY, queue.address(),
            Processor.ACTUAL_EXPIRY_PROPERTY, reference.message.expiration()), "expiry");
    }

    /**
     * Moves a message delivered more often than its address allows to the dead-letter address.
     *
     * @return the queue the copy went to, for the caller to dispatch; null if the message was dropped.
     */
    ServerQueue overDeliveryLimit(final ServerQueue queue, final MessageReference reference,
        final AddressSettings addressSettings)
    {
        return moveToAddress(queue, reference, addressSettings.deadLetterAddress(), Map.of(
            Processor.ORIGINAL_DESTINATION_PROPERTY, queue.address(),
            Processor.DEAD_LETTER_REASON_PROPERTY, "delivered " + reference.deliveryCount + " times, the limit (" +
                "max-delivery-attempts) is " + addressSettings.maxDeliveryAttempts()), "dead-letter");
    }

    /**
     * Moves a waiting message (already taken out of its queue) to another queue, as an operator asked
     * ({@code queue.move}); the copy says where it came from.
     */
    void moveByHand(final ServerQueue from, final MessageReference reference, final ServerQueue to)
    {
        moveToAddress(from, reference, to.name, Map.of(Processor.ORIGINAL_DESTINATION_PROPERTY, from.address()),
            "target");
    }

    /**
     * Re-addresses a message, with properties saying why. The reference ends once the copy is journaled; if that
     * fails the original stays in the journal, to come back after a restart rather than be lost.
     */
    private ServerQueue moveToAddress(
        final ServerQueue from, final MessageReference reference, final String address, final Map<String, Object> properties,
        final String purpose)
    {
        final ServerMessage message = reference.message;
        if (address.isEmpty() || address.equals(from.name))
        {
            LOG.log(System.Logger.Level.WARNING, "dropped a message of '" + from.address() + "': no " + purpose +
                " address is configured for it (" + properties + ")");
            durability.referenceGone(reference, true);
            return null;
        }
        byte[] rewritten;
        try
        {
            rewritten = message.fields().rewrite(message.encoded(), properties, 0);
        }
        catch (final ProtocolException ex)
        {
            // Kept as it is, without the properties that say why: moved, never dropped, so an operator can look.
            LOG.log(System.Logger.Level.WARNING, "a message of '" + from.address() + "' that cannot be decoded (" +
                ex.getMessage() + ") goes to '" + address + "' unchanged (" + properties + ")");
            rewritten = message.encoded();
        }
        final ServerQueue target = destinations.queue(address);
        final ServerMessage moved = new ServerMessage(rewritten, header.wrap(rewritten), message.originConnectionId());
        final MessageReference copy = target.reference(moved);
        try
        {
            durability.messageRouted(moved, List.of(copy));
            durability.referenceGone(reference, true);
        }
        catch (final JournalWriteException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "the " + purpose + " copy of a message of '" + from.address() +
                "' is not journaled; the original stays journaled in its queue");
        }
        target.append(copy);
        return target;
    }
}
