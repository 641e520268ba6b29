package io.meshmq.tck.ee.app;

import jakarta.annotation.Resource;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Deployed into Payara by {@code ResourceAdapterInPayaraTest}: in one container-managed XA transaction it consumes
 * an order from MeshMQ, records it in the database and sends a confirmation through the adapter's pooled factory.
 * An order named {@code fail-once...} throws on its first delivery, after doing both: all of it must roll back.
 * Its activation (the adapter, the queue, the broker's URL) is in the deployment descriptor the test writes.
 */
@MessageDriven(name = "OrderMdb")
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class OrderMdb implements MessageListener
{
    @Resource(lookup = "java:app/jms/meshmq")
    private ConnectionFactory factory;

    @Resource(lookup = "jdbc/orders")
    private DataSource database;

    @Override
    public void onMessage(final Message message)
    {
        try
        {
            final String order = ((TextMessage)message).getText();
            final int delivery = message.getIntProperty("JMSXDeliveryCount");
            try (java.sql.Connection sql = database.getConnection();
                PreparedStatement insert = sql.prepareStatement("insert into orders(text, delivery) values (?, ?)"))
            {
                insert.setString(1, order);
                insert.setInt(2, delivery);
                insert.executeUpdate();
            }
            try (Connection connection = factory.createConnection())
            {
                final Session session = connection.createSession();
                final TextMessage confirmation = session.createTextMessage(order);
                confirmation.setIntProperty("delivery", delivery);
                session.createProducer(session.createQueue("confirmations")).send(confirmation);
            }
            if (order.startsWith("fail-once") && delivery == 1)
            {
                throw new IllegalStateException("failing " + order + " on purpose: its row and confirmation roll back");
            }
        }
        catch (final JMSException | SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
