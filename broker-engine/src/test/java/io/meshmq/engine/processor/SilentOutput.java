package io.meshmq.engine.processor;

import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.WireWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection for tests that look at what the processor decides, not at what it writes: frames go nowhere; the
 * large bodies lent to it are noted.
 */
final class SilentOutput implements ConnectionOutput
{
    final long id;
    final List<Long> lent = new ArrayList<>();

    SilentOutput(final long id)
    {
        this.id = id;
    }

    @Override
    public long id()
    {
        return id;
    }

    @Override
    public String remoteAddress()
    {
        return "test";
    }

    @Override
    public boolean write(final WireWriter frame)
    {
        return false;
    }

    @Override
    public void lend(final long bodyId)
    {
        lent.add(bodyId);
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close()
    {
    }
}
