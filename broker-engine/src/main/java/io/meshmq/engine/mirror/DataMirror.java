package io.meshmq.engine.mirror;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Told every change to the data directory, in the order made; paths are absolute, under the directory the mirror was
 * made for. A change is described before or after it is made locally, never after anything that depends on it: a
 * force is described once everything it covers was.
 */
public interface DataMirror
{
    /** No replica: every change stays local. */
    DataMirror NONE = new DataMirror()
    {
        @Override
        public void written(final Path file, final long position, final ByteBuffer bytes)
        {
        }

        @Override
        public void zeroed(final Path file, final long from, final long to)
        {
        }

        @Override
        public void truncated(final Path file, final long size)
        {
        }

        @Override
        public void replaced(final Path file, final byte[] content)
        {
        }

        @Override
        public void moved(final Path from, final Path to)
        {
        }

        @Override
        public void deleted(final Path file)
        {
        }

        @Override
        public long forced()
        {
            return 0;
        }
    };

    /**
     * Bytes written at a position of a file, made if it does not exist.
     *
     * @param bytes from its position to its limit; neither is changed.
     */
    void written(Path file, long position, ByteBuffer bytes);

    /**
     * Zeros written from {@code from} up to {@code to} (a segment preallocated, a failed write blanked): the replica
     * writes its own instead of receiving them.
     */
    void zeroed(Path file, long from, long to);

    /**
     * A file cut to {@code size} bytes.
     */
    void truncated(Path file, long size);

    /**
     * A small file replaced whole, atomically: the replica holds the old content or the new, never a mix.
     */
    void replaced(Path file, byte[] content);

    /**
     * A file renamed, replacing the target if there is one.
     */
    void moved(Path from, Path to);

    /**
     * A file or an empty directory deleted; nothing if it is not there.
     */
    void deleted(Path file);

    /**
     * Everything described so far is to be on the replica's disk before what this force covers is confirmed.
     *
     * @return the mark of this force: confirmations it covers wait until the replica has stored up to it.
     */
    long forced();

    /**
     * @return where large message bodies are copied (any thread; see {@link BodyMirror}).
     */
    default BodyMirror bodies()
    {
        return BodyMirror.NONE;
    }
}
