package io.meshmq.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.BrokerEventDecoder;
import io.meshmq.protocol.MessageValidator;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a peer sends, however broken, is read or refused with {@link ProtocolException}, never with another exception
 * and never with an allocation the bytes did not pay for: a broker's frames as the client reads them (and the messages
 * and admin tables inside them), and a message as the broker checks it before storing it (issue 16, fuzzing).
 */
class WireFuzzTest
{
    private static final BrokerEventDecoder.Handler READ_EVERYTHING = new BrokerEventDecoder.Handler()
    {
        @Override
        public void onHelloOk(final short protocolVersion, final long connectionId, final String brokerName,
            final String temporaryScope, final int largeMessageThreshold)
        {
        }

        @Override
        public void onDeliver(final long consumerId, final long deliveryId, final int deliveryCount, final byte[] message)
        {
            MessageValidator.validate(message);
        }

        @Override
        public void onBrowseEnd(final long consumerId)
        {
        }

        @Override
        public void onOk(final long correlationId)
        {
        }

        @Override
        public void onReply(final long correlationId, final WireReader result)
        {
            AdminTable.decode(result.readRest());
        }

        @Override
        public void onError(final long correlationId, final int code, final String message)
        {
        }

        @Override
        public void onFlow(final byte destinationType, final String destinationName, final boolean blocked)
        {
        }

        @Override
        public void onPing(final long token)
        {
        }

        @Override
        public void onTopology(final String[] members, final String[] journals, final String own)
        {
        }
    };

    @FuzzTest(maxDuration = "15s")
    void readWhatABrokerSends(final FuzzedDataProvider data)
    {
        final byte type = data.consumeByte();
        final byte[] body = data.consumeRemainingAsBytes();
        try
        {
            BrokerEventDecoder.decode(type, new WireReader().wrap(new UnsafeBuffer(body), 0, body.length), READ_EVERYTHING);
        }
        catch (final ProtocolException refused)
        {
            // what a client does with a frame it cannot read: it drops the connection, naming the problem
        }
    }
}
