package io.meshmq.tck.crash;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.common.recoveryPropertyManager;
import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import com.arjuna.ats.arjuna.recovery.RecoveryModule;
import com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule;
import com.arjuna.ats.jta.common.jtaPropertyManager;
import com.arjuna.ats.jta.recovery.XAResourceRecoveryHelper;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MeshMQ under a real transaction manager (Narayana), beside a second XA resource (an H2 database): an order
 * message is consumed, a row written and a shipment message sent in one global transaction. Then the broker is
 * killed with SIGKILL between prepare and commit, restarted, and Narayana's recovery completes the branch.
 */
class XaTransactionManagerTest
{
    private static final String NODE = "meshmq-xa-test";

    @TempDir
    static Path workDir;

    private static TransactionManager manager;
    private static JdbcDataSource database;
    private static final AtomicReference<String> brokerUrl = new AtomicReference<>();
    private static final List<AutoCloseable> recoveryConnections = new ArrayList<>();

    @BeforeAll
    static void startTransactionManager() throws Exception
    {
        final String store = workDir.resolve("narayana").toString();
        arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier(NODE);
        BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setObjectStoreDir(store);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(store);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "stateStore").setObjectStoreDir(store);
        jtaPropertyManager.getJTAEnvironmentBean().setXaRecoveryNodes(List.of(NODE));
        recoveryPropertyManager.getRecoveryEnvironmentBean().setRecoveryBackoffPeriod(1);
        recoveryPropertyManager.getRecoveryEnvironmentBean().setRecoveryListener(false);
        manager = com.arjuna.ats.jta.TransactionManager.transactionManager();

        database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:xa-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        try (java.sql.Connection connection = database.getConnection(); Statement sql = connection.createStatement())
        {
            sql.execute("create table shipments (order_text varchar(100) primary key)");
        }
    }

    @AfterAll
    static void stopRecovery() throws Exception
    {
        for (final AutoCloseable closeable : recoveryConnections)
        {
            closeable.close();
        }
    }

    @Test
    void shouldCommitTheBrokerAndTheDatabaseTogether() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("commit")))
        {
            send(broker.url(), "orders", "order-1");
            handleOrder(broker.url(), true, null);
            assertEquals("order-1", receive(broker.url(), "shipments"));
            assertNull(receiveQuickly(broker.url(), "orders"), "the order was consumed");
            assertTrue(shipped("order-1"));
        }
    }

    @Test
    void shouldRollBackTheBrokerAndTheDatabaseTogether() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("rollback")))
        {
            send(broker.url(), "orders", "order-2");
            handleOrder(broker.url(), false, null);
            assertNull(receiveQuickly(broker.url(), "shipments"), "no shipment was sent");
            assertEquals("order-2", receive(broker.url(), "orders"), "the order is back");
            assertTrue(!shipped("order-2"));
        }
    }

    @Test
    void shouldCompleteAPreparedBranchAfterTheBrokerIsKilled() throws Exception
    {
        final Path data = workDir.resolve("killed");
        final String firstUrl;
        try (BrokerProcess broker = BrokerProcess.start(data))
        {
            firstUrl = broker.url();
            send(broker.url(), "orders", "order-3");
            // Prepared last, after MeshMQ: the broker dies holding the prepared branch, before any commit.
            handleOrder(broker.url(), true, new KillOnPrepare(broker));
        }
        assertTrue(shipped("order-3"), "the database committed in phase two");
        try (BrokerProcess broker = BrokerProcess.start(data))
        {
            brokerUrl.set(broker.url());
            final RecoveryManager recovery = RecoveryManager.manager(RecoveryManager.DIRECT_MANAGEMENT);
            final XARecoveryModule module = xaRecoveryModule(recovery);
            final XAResourceRecoveryHelper helper = new MeshRecoveryHelper();
            module.addXAResourceRecoveryHelper(helper);
            try
            {
                final long deadline = System.nanoTime() + 60_000_000_000L;
                String shipment = null;
                while (shipment == null && System.nanoTime() < deadline)
                {
                    recovery.scan();
                    shipment = receiveQuickly(broker.url(), "shipments");
                }
                assertEquals("order-3", shipment, "recovery committed the prepared branch");
                assertNull(receiveQuickly(broker.url(), "orders"), "and with it the order's consumption");
            }
            finally
            {
                module.removeXAResourceRecoveryHelper(helper);
            }
        }
    }

    /**
     * A two-phase commit that cannot reach the broker leaves the branch prepared there: the manager is told to try
     * again (XA_RETRY), not that the resource failed, which GlassFish and Payara take for an unknown outcome and then
     * forget the transaction, so that their recovery rolled back the branch of a transaction that had committed. The
     * manager's recovery and retry, through the resource it enlisted, see and commit the branch once the broker is
     * back.
     */
    @Test
    void shouldAskTheManagerToRetryACommitThatCouldNotReachTheBroker() throws Exception
    {
        final Path data = workDir.resolve("commit-lost");
        final Xid xid = new TestXid("commit-lost".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final BrokerProcess first = BrokerProcess.start(data);
        final int port = first.port();
        send(first.url(), "lost-orders", "order-5");
        try (XAConnection connection = new MeshConnectionFactory(first.url()).createXAConnection())
        {
            connection.start();
            final XASession session = connection.createXASession();
            final XAResource resource = session.getXAResource();
            resource.start(xid, XAResource.TMNOFLAGS);
            final TextMessage order = (TextMessage)session.createConsumer(session.createQueue("lost-orders"))
                .receive(5000);
            assertEquals("order-5", order.getText());
            session.createProducer(session.createQueue("lost-shipments")).send(session.createTextMessage("order-5"));
            resource.end(xid, XAResource.TMSUCCESS);
            assertEquals(XAResource.XA_OK, resource.prepare(xid));
            first.kill();
            first.close();
            final XAException lost = org.junit.jupiter.api.Assertions.assertThrows(XAException.class,
                () -> resource.commit(xid, false));
            assertEquals(XAException.XA_RETRY, lost.errorCode, "the branch is still prepared: " +
                lost.getMessage());

            try (BrokerProcess broker = BrokerProcess.startNode(data, "commit-lost", port))
            {
                final Xid[] inDoubt = resource.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
                assertEquals(1, inDoubt.length, "the resource, its connection lost, still lists the branch");
                org.junit.jupiter.api.Assertions.assertArrayEquals(xid.getGlobalTransactionId(),
                    inDoubt[0].getGlobalTransactionId());
                resource.commit(xid, false);
                assertEquals("order-5", receive(broker.url(), "lost-shipments"),
                    "the retried commit sent the shipment");
                assertNull(receiveQuickly(broker.url(), "lost-orders"), "and consumed the order");
                try (XAConnection other = new MeshConnectionFactory(broker.url()).createXAConnection())
                {
                    assertEquals(0, other.createXASession().getXAResource()
                        .recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN).length, "nothing left in doubt");
                }
            }
        }
    }

    private record TestXid(byte[] global) implements Xid
    {
        @Override
        public int getFormatId()
        {
            return 0x4D51;
        }

        @Override
        public byte[] getGlobalTransactionId()
        {
            return global.clone();
        }

        @Override
        public byte[] getBranchQualifier()
        {
            return new byte[] {1};
        }
    }

    // ---- the application --------------------------------------------------------------------------------

    /**
     * Consumes one order, records it in the database and sends a shipment, in one global transaction.
     */
    private static void handleOrder(final String url, final boolean commit, final XAResource third) throws Exception
    {
        try (XAConnection connection = new MeshConnectionFactory(url).createXAConnection())
        {
            connection.start();
            final XASession session = connection.createXASession();
            final javax.sql.XAConnection db = database.getXAConnection();
            try
            {
                manager.begin();
                final Transaction transaction = manager.getTransaction();
                assertTrue(transaction.enlistResource(session.getXAResource()));
                assertTrue(transaction.enlistResource(db.getXAResource()));
                if (third != null)
                {
                    assertTrue(transaction.enlistResource(third));
                }
                final TextMessage order = (TextMessage)session.createConsumer(session.createQueue("orders")).receive(5000);
                assertNotNull(order, "an order to handle");
                // H2 ends its branch when the connection handle closes: it stays open until the transaction ends.
                final java.sql.Connection sql = db.getConnection();
                try (java.sql.PreparedStatement insert = sql.prepareStatement("insert into shipments values (?)"))
                {
                    insert.setString(1, order.getText());
                    insert.executeUpdate();
                }
                session.createProducer(session.createQueue("shipments")).send(session.createTextMessage(order.getText()));
                if (commit)
                {
                    try
                    {
                        manager.commit();
                    }
                    catch (final Exception ex)
                    {
                        if (third == null)
                        {
                            throw ex;
                        }
                        // The broker died in phase two: the manager reports it; recovery finishes the branch.
                    }
                }
                else
                {
                    manager.rollback();
                }
            }
            finally
            {
                db.close();
            }
        }
        catch (final jakarta.jms.JMSException ex)
        {
            if (third == null)
            {
                throw ex;
            }
            // Closing a connection to a killed broker fails; nothing to clean up.
        }
    }

    private static boolean shipped(final String order) throws Exception
    {
        try (java.sql.Connection connection = database.getConnection();
            java.sql.PreparedStatement query = connection.prepareStatement("select count(*) from shipments where order_text = ?"))
        {
            query.setString(1, order);
            try (ResultSet rows = query.executeQuery())
            {
                rows.next();
                return rows.getInt(1) == 1;
            }
        }
    }

    private static void send(final String url, final String queue, final String text) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(queue)).send(session.createTextMessage(text));
        }
    }

    private static String receive(final String url, final String queue) throws Exception
    {
        return receive(url, queue, 5000);
    }

    private static String receiveQuickly(final String url, final String queue) throws Exception
    {
        return receive(url, queue, 200);
    }

    private static String receive(final String url, final String queue, final long timeoutMs) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            final TextMessage message = (TextMessage)consumer.receive(timeoutMs);
            return message == null ? null : message.getText();
        }
    }

    private static XARecoveryModule xaRecoveryModule(final RecoveryManager recovery)
    {
        for (final RecoveryModule module : recovery.getModules())
        {
            if (module instanceof XARecoveryModule)
            {
                return (XARecoveryModule)module;
            }
        }
        throw new IllegalStateException("Narayana has no XARecoveryModule");
    }

    /**
     * Gives Narayana's recovery a resource of the restarted broker.
     */
    private static final class MeshRecoveryHelper implements XAResourceRecoveryHelper
    {
        @Override
        public boolean initialise(final String properties)
        {
            return true;
        }

        @Override
        public XAResource[] getXAResources()
        {
            try
            {
                final XAConnection connection = new MeshConnectionFactory(brokerUrl.get()).createXAConnection();
                recoveryConnections.add(connection);
                return new XAResource[] {connection.createXASession().getXAResource()};
            }
            catch (final jakarta.jms.JMSException ex)
            {
                return new XAResource[0];
            }
        }
    }

    /**
     * A third resource that votes yes and then kills the broker: prepared after MeshMQ, so MeshMQ's branch is
     * prepared and nothing is committed yet when the broker dies.
     */
    private static final class KillOnPrepare implements XAResource
    {
        private final BrokerProcess broker;

        KillOnPrepare(final BrokerProcess broker)
        {
            this.broker = broker;
        }

        @Override
        public int prepare(final Xid xid) throws XAException
        {
            try
            {
                broker.kill();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new XAException(XAException.XAER_RMERR);
            }
            return XA_OK;
        }

        @Override
        public void commit(final Xid xid, final boolean onePhase)
        {
        }

        @Override
        public void end(final Xid xid, final int flags)
        {
        }

        @Override
        public void forget(final Xid xid)
        {
        }

        @Override
        public int getTransactionTimeout()
        {
            return 0;
        }

        @Override
        public boolean isSameRM(final XAResource other)
        {
            return other == this;
        }

        @Override
        public Xid[] recover(final int flag)
        {
            return new Xid[0];
        }

        @Override
        public void rollback(final Xid xid)
        {
        }

        @Override
        public boolean setTransactionTimeout(final int seconds)
        {
            return false;
        }

        @Override
        public void start(final Xid xid, final int flags)
        {
        }
    }
}
