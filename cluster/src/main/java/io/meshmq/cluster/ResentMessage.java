package io.meshmq.cluster;

/**
 * A message a client sent again to one node after failing over from another, before that other node's answer to the
 * first send reached it: that node may hold a copy of it.
 *
 * @param type      the {@link io.meshmq.protocol.DestinationType} it was sent to.
 * @param address   the queue or topic it was sent to.
 * @param duplicateId what duplicate detection knows it by (the application's duplicate id, else its message id).
 */
public record ResentMessage(byte type, String address, String duplicateId)
{
}
