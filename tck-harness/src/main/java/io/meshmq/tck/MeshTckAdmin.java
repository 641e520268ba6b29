package io.meshmq.tck;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.MeshQueue;
import io.meshmq.jms.MeshTopic;
import io.meshmq.jms.jndi.MeshInitialContextFactory;
import jakarta.jms.JMSException;

import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.util.Hashtable;

/**
 * The adapter an external conformance suite drives MeshMQ through, in the style of the admin interfaces JMS
 * test kits expect:
 * <pre>
 * MeshTckAdmin admin = new MeshTckAdmin("tcp://127.0.0.1:7918");
 * admin.startEmbeddedBroker(new BrokerContext().port(7918).dataDir(dir));   // or run ./meshmq yourself
 * admin.createQueue("testQ0");
 * admin.bindConnectionFactory("MyConnectionFactory", null);
 * ... the suite looks the objects up in admin.context() ...
 * admin.deleteQueue("testQ0");                                             // drops pending messages
 * admin.close();
 * </pre>
 * Thread safe.
 */
public final class MeshTckAdmin implements AutoCloseable
{
    private final String url;
    private final Context context;
    private Broker broker;
    private MeshAdmin admin;

    /**
     * @param url the broker the suite tests; also what bound connection factories connect to.
     */
    public MeshTckAdmin(final String url) throws NamingException
    {
        this.url = url;
        final Hashtable<String, Object> environment = new Hashtable<>();
        environment.put(Context.INITIAL_CONTEXT_FACTORY, MeshInitialContextFactory.class.getName());
        this.context = new InitialContext(environment);
    }

    /**
     * @return the JNDI context the bind methods bind into.
     */
    public Context context()
    {
        return context;
    }

    /**
     * Starts a broker in this JVM; the URL given to the constructor must reach it.
     *
     * @throws IllegalStateException if one is already running.
     */
    public synchronized void startEmbeddedBroker(final BrokerContext brokerContext) throws BrokerStartException
    {
        if (broker != null)
        {
            throw new IllegalStateException("an embedded broker is already running at " + broker.url());
        }
        broker = Broker.start(brokerContext);
    }

    /**
     * Stops the embedded broker, if one runs; the admin connection goes with it.
     */
    public synchronized void stopEmbeddedBroker()
    {
        closeAdmin();
        if (broker != null)
        {
            broker.close();
            broker = null;
        }
    }

    public void createQueue(final String name) throws JMSException
    {
        admin().createQueue(name);
    }

    /**
     * Deletes a queue and drops what waits in it.
     */
    public void deleteQueue(final String name) throws JMSException
    {
        admin().deleteQueue(name);
    }

    public void createTopic(final String name) throws JMSException
    {
        admin().createTopic(name);
    }

    /**
     * Deletes a topic with its subscriptions, durable ones included.
     */
    public void deleteTopic(final String name) throws JMSException
    {
        admin().deleteTopic(name);
    }

    /**
     * Binds a connection factory for the broker; {@code clientId} null for none.
     */
    public void bindConnectionFactory(final String name, final String clientId) throws NamingException
    {
        final MeshConnectionFactory factory = new MeshConnectionFactory(url);
        if (clientId != null)
        {
            factory.setClientID(clientId);
        }
        context.rebind(name, factory);
    }

    public void bindQueue(final String jndiName, final String queueName) throws NamingException
    {
        context.rebind(jndiName, new MeshQueue(queueName));
    }

    public void bindTopic(final String jndiName, final String topicName) throws NamingException
    {
        context.rebind(jndiName, new MeshTopic(topicName));
    }

    public void unbind(final String name) throws NamingException
    {
        context.unbind(name);
    }

    private synchronized MeshAdmin admin() throws JMSException
    {
        if (admin == null)
        {
            admin = MeshAdmin.connect(url, null, null);
        }
        return admin;
    }

    private synchronized void closeAdmin()
    {
        if (admin != null)
        {
            admin.close();
            admin = null;
        }
    }

    @Override
    public synchronized void close() throws NamingException
    {
        stopEmbeddedBroker();
        context.close();
    }
}
