package io.meshmq.tck.hostile;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * One queue nobody consumes fills the broker's memory (a producer sends to it and never stops early): every other
 * queue keeps flowing — a bystander's message comes within seconds, not after the full queue is drained.
 */
class FullQueueTest
{
    @TempDir
    Path workDir;

    @Test
    void shouldKeepOtherQueuesFlowingWhileOneUnconsumedQueueFillsTheBrokersMemory() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("broker"), "global-max-size = 4194304"))
        {
            Bystander.assertWorks(broker.url());
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("nobody-reads"));
                producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
                final byte[] body = new byte[32 * 1024];
                // 16 MiB into a 4 MiB broker: the queue pages, and the broker's memory stays full of it.
                for (int i = 0; i < 512; i++)
                {
                    final BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    producer.send(message);
                }
            }
            for (int i = 0; i < 20; i++)
            {
                Bystander.assertWorks(broker.url());
            }
        }
    }
}
