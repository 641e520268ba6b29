package io.meshmq.engine.journal.record;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.function.Function;

/**
 * A journal record's body, however damaged (a disk that returns wrong bytes under a valid checksum, a file written
 * by another version), decodes or is refused with {@link ProtocolException}, which recovery reports as corruption;
 * never another exception, and never an allocation its bytes did not pay for (issue 16, fuzzing).
 */
class JournalRecordFuzzTest
{
    private static final List<Function<WireReader, ?>> DECODERS = List.of(AckRecord::decode, DeliveryCountRecord::decode,
        DepageRecord::decode, LinkRecord::decode, MessageRecord::decode, MessageRecord::decodeCounted,
        PrepareRecord::decode, QueueDeleteRecord::decode, QueueRecord::decode, TopicDeleteRecord::decode,
        TopicRecord::decode, TransactionEndRecord::decode, TransactionRecord::decode);

    @FuzzTest(maxDuration = "15s")
    void decodeAnyRecordBody(final FuzzedDataProvider data)
    {
        final Function<WireReader, ?> decoder = DECODERS.get(data.consumeInt(0, DECODERS.size() - 1));
        final byte[] body = data.consumeRemainingAsBytes();
        try
        {
            decoder.apply(new WireReader().wrap(new UnsafeBuffer(body), 0, body.length));
        }
        catch (final ProtocolException refused)
        {
            // recovery's "corrupt record"
        }
    }
}
