package io.meshmq.engine.processor;

import io.meshmq.protocol.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure told at connection level (nobody waits for its answer) is logged once a minute, not once per connection
 * that repeats it: a backup the live refuses retries every two seconds on a new connection, for as long as it runs.
 */
class ConnectionWriterLogTest
{
    private final Logger logger = Logger.getLogger(ConnectionWriter.class.getName());
    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            lines.add(record.getMessage());
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    @BeforeEach
    void listen()
    {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening()
    {
        logger.removeHandler(capture);
    }

    @Test
    void shouldLogTheSameFailureOnceAMinuteAndSayHowManyWereNotLogged()
    {
        final ConnectionWriter writer = new ConnectionWriter();
        writer.error(new SilentOutput(1), 0, ErrorCode.ILLEGAL_STATE, "replica 'b' is in sync");
        final long start = System.nanoTime();
        writer.log(new SilentOutput(2), "replica 'b' is in sync", start + 1_000_000_000L);
        writer.log(new SilentOutput(3), "replica 'b' is in sync", start + 2_000_000_000L);
        writer.log(new SilentOutput(4), "another failure", start + 2_000_000_000L);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("replica 'b' is in sync (the same is logged again only after a minute)"),
            lines.get(0));

        writer.log(new SilentOutput(5), "replica 'b' is in sync", start + ConnectionWriter.REPEAT_LOG_NS + 1);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(2).endsWith("replica 'b' is in sync (and 2 times more in the last minute, not logged)"),
            lines.get(2));
    }
}
