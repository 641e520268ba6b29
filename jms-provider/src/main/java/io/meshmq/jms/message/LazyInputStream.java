package io.meshmq.jms.message;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the stream it reads on its first read: a received large body is asked of the broker only if it is read.
 */
final class LazyInputStream extends InputStream
{
    /**
     * Opens the stream read.
     */
    @FunctionalInterface
    interface Opener
    {
        InputStream open() throws IOException;
    }

    private final Opener opener;
    private InputStream in;

    LazyInputStream(final Opener opener)
    {
        this.opener = opener;
    }

    private InputStream in() throws IOException
    {
        if (in == null)
        {
            in = opener.open();
        }
        return in;
    }

    @Override
    public int read() throws IOException
    {
        return in().read();
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException
    {
        return in().read(b, off, len);
    }

    @Override
    public void close() throws IOException
    {
        if (in != null)
        {
            in.close();
        }
    }
}
