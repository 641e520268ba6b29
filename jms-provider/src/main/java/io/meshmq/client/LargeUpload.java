package io.meshmq.client;

/**
 * A body sent in LARGE_CHUNKs, to be named by the message that follows on the same connection.
 *
 * @param uploadId what the message's {@link io.meshmq.protocol.LargeBodyDescriptor} names.
 * @param length   bytes sent; 0 for an empty body, which is sent whole instead (no upload was begun).
 * @param link     the number of the connection it went on: a message on another cannot name it.
 */
public record LargeUpload(long uploadId, long length, int link)
{
}
