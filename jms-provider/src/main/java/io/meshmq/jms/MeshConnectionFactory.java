package io.meshmq.jms;

import io.meshmq.client.BrokerList;
import io.meshmq.client.ClientConnection;
import io.meshmq.client.ConnectionUrl;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueConnectionFactory;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicConnectionFactory;
import jakarta.jms.XAConnection;
import jakarta.jms.XAJMSContext;
import jakarta.jms.XAQueueConnection;
import jakarta.jms.XAQueueConnectionFactory;
import jakarta.jms.XATopicConnection;
import jakarta.jms.XATopicConnectionFactory;

import java.io.Serializable;

/**
 * The entry point of the MeshMQ client: {@code new MeshConnectionFactory("tcp://127.0.0.1:7918")}, or
 * {@code "vm://0"} for a broker in the same JVM.
 * <p>
 * The URL may carry options ({@code ?clientID=cts&consumerWindow=100}, see {@link ConnectionUrl}). User and
 * password come from the {@code createConnection(user, password)} call, else from the factory's
 * properties, else from the URL. Thread safe and serializable, so it can be bound in JNDI.
 * <p>
 * It is an {@link jakarta.jms.XAConnectionFactory} too: its XA connections give sessions and contexts a
 * transaction manager enlists.
 */
public class MeshConnectionFactory implements ConnectionFactory, QueueConnectionFactory, TopicConnectionFactory,
    XAQueueConnectionFactory, XATopicConnectionFactory, Serializable
{
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_URL = "tcp://127.0.0.1:" + ConnectionUrl.DEFAULT_PORT;

    private volatile String url;
    private volatile String user;
    private volatile String password;
    private volatile String clientID;

    public MeshConnectionFactory()
    {
        this(DEFAULT_URL);
    }

    /**
     * @throws IllegalArgumentException naming what is wrong with the URL.
     */
    public MeshConnectionFactory(final String url)
    {
        BrokerList.parse(url);
        this.url = url;
    }

    public MeshConnectionFactory(final String url, final String user, final String password)
    {
        this(url);
        this.user = user;
        this.password = password;
    }

    public String getUrl()
    {
        return url;
    }

    public void setUrl(final String url)
    {
        BrokerList.parse(url);
        this.url = url;
    }

    public String getUser()
    {
        return user;
    }

    public void setUser(final String user)
    {
        this.user = user;
    }

    public void setPassword(final String password)
    {
        this.password = password;
    }

    public String getClientID()
    {
        return clientID;
    }

    /**
     * A client ID every connection from this factory starts with (for durable subscriptions).
     */
    public void setClientID(final String clientID)
    {
        this.clientID = clientID;
    }

    @Override
    public Connection createConnection() throws JMSException
    {
        return createConnection(null, null);
    }

    @Override
    public Connection createConnection(final String userName, final String password) throws JMSException
    {
        return open(userName, password);
    }

    @Override
    public QueueConnection createQueueConnection() throws JMSException
    {
        return createQueueConnection(null, null);
    }

    @Override
    public QueueConnection createQueueConnection(final String userName, final String password) throws JMSException
    {
        final MeshConnection connection = open(userName, password);
        connection.madeAsQueueConnection();
        return connection;
    }

    @Override
    public TopicConnection createTopicConnection() throws JMSException
    {
        return open(null, null);
    }

    @Override
    public TopicConnection createTopicConnection(final String userName, final String password) throws JMSException
    {
        return open(userName, password);
    }

    @Override
    public JMSContext createContext()
    {
        return createContext(null, null, JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Override
    public JMSContext createContext(final String userName, final String password)
    {
        return createContext(userName, password, JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Override
    public JMSContext createContext(final int sessionMode)
    {
        return createContext(null, null, sessionMode);
    }

    @Override
    public JMSContext createContext(final String userName, final String password, final int sessionMode)
    {
        MeshJMSContext.checkSessionMode(sessionMode);
        try
        {
            return new MeshJMSContext(open(userName, password), sessionMode);
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    // ---- XA ---------------------------------------------------------------------------------------------

    @Override
    public XAConnection createXAConnection() throws JMSException
    {
        return openXA(null, null);
    }

    @Override
    public XAConnection createXAConnection(final String userName, final String password) throws JMSException
    {
        return openXA(userName, password);
    }

    @Override
    public XAQueueConnection createXAQueueConnection() throws JMSException
    {
        return createXAQueueConnection(null, null);
    }

    @Override
    public XAQueueConnection createXAQueueConnection(final String userName, final String password) throws JMSException
    {
        final MeshXAConnection connection = openXA(userName, password);
        connection.madeAsQueueConnection();
        return connection;
    }

    @Override
    public XATopicConnection createXATopicConnection() throws JMSException
    {
        return openXA(null, null);
    }

    @Override
    public XATopicConnection createXATopicConnection(final String userName, final String password) throws JMSException
    {
        return openXA(userName, password);
    }

    @Override
    public XAJMSContext createXAContext()
    {
        return createXAContext(null, null);
    }

    @Override
    public XAJMSContext createXAContext(final String userName, final String password)
    {
        try
        {
            return new MeshXAJMSContext(openXA(userName, password));
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    private MeshXAConnection openXA(final String userName, final String pass) throws JMSException
    {
        final Opening opening = opening(userName, pass);
        final MeshXAConnection connection = MeshConnection.open(opening.url, opening.user, opening.password,
            opening.clientId, MeshXAConnection::new);
        connection.reopenWith(() -> ClientConnection.open(opening.url, opening.user, opening.password, null,
            cause -> { }));
        return connection;
    }

    private MeshConnection open(final String userName, final String pass) throws JMSException
    {
        final Opening opening = opening(userName, pass);
        return MeshConnection.open(opening.url, opening.user, opening.password, opening.clientId);
    }

    private record Opening(BrokerList url, String user, String password, String clientId)
    {
    }

    private Opening opening(final String userName, final String pass) throws JMSException
    {
        final BrokerList parsed;
        try
        {
            parsed = BrokerList.parse(url);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new JMSException(ex.getMessage());
        }
        String u = userName;
        String p = pass;
        if (u == null && p == null)
        {
            u = user != null ? user : parsed.option("user");
            p = password != null ? password : parsed.option("password");
        }
        final String id = clientID != null ? clientID : parsed.option("clientID");
        return new Opening(parsed, u, p, id);
    }

    @Override
    public String toString()
    {
        return "MeshConnectionFactory[" + BrokerList.parse(url) + "]";
    }
}
