package io.meshmq.engine;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest
{
    @Test
    void shouldSendAndReceiveOverTcpAndVm() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            for (final String url : new String[] {broker.tcpUrl(), broker.vmUrl()})
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    final Queue queue = session.createQueue("smoke");
                    final MessageProducer producer = session.createProducer(queue);
                    final MessageConsumer consumer = session.createConsumer(queue);
                    connection.start();
                    producer.send(session.createTextMessage("hello " + url));
                    final TextMessage received = (TextMessage)consumer.receive(5000);
                    assertEquals("hello " + url, received.getText());
                }
            }
        }
    }
}
