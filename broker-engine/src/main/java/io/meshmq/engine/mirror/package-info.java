/**
 * The seam replication stands on: every durable change the broker makes to its data directory (journal segments
 * and their list, page files, the node's identity), described as it is made, so that a replica making the same
 * changes in the same order holds a directory a broker recovers from exactly as it would from the original.
 * <p>
 * Threads: {@link io.meshmq.engine.mirror.DataMirror} is called on the processor thread (journal and page writes,
 * segment rolls and deletions, the forces they are handed to) and by the starting thread (identity, recovery);
 * implementations are thread safe. {@link io.meshmq.engine.mirror.BodyMirror} takes large message bodies, whole, from
 * the threads that force them, before their messages reach the processor. {@link io.meshmq.engine.mirror.DirectoryMirror}
 * makes the changes in another directory: on a replica, and in tests.
 */
package io.meshmq.engine.mirror;
