package io.meshmq.ra;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;

/**
 * Where and as whom the adapter connects: a MeshMQ URL (a list with failover, or discovery, as the client takes
 * it) and the user's name and password, either of which may be null.
 */
public record BrokerLogin(String url, String user, String password)
{
    /** The broker on this machine at MeshMQ's default port. */
    public static final String DEFAULT_URL = "tcp://127.0.0.1:7918";

    public BrokerLogin
    {
        url = url == null || url.isBlank() ? DEFAULT_URL : url.trim();
        user = blankAsNull(user);
    }

    /**
     * @param clientId the connection's client id, or null for none.
     * @return a new connection, not started.
     */
    public XAConnection connect(final String clientId) throws JMSException
    {
        final MeshConnectionFactory factory = new MeshConnectionFactory(url);
        if (clientId != null && !clientId.isBlank())
        {
            factory.setClientID(clientId);
        }
        return factory.createXAConnection(user, password);
    }

    /**
     * @return null for a property left empty or blank (servers pass empty strings for unset ones), else it trimmed.
     */
    public static String blankAsNull(final String value)
    {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /**
     * Closes a connection that may be broken or gone already.
     */
    public static void closeQuietly(final XAConnection connection)
    {
        if (connection == null)
        {
            return;
        }
        try
        {
            connection.close();
        }
        catch (final JMSException ignore)
        {
            // gone already
        }
    }

    @Override
    public String toString()
    {
        // Never the password: logins appear in logs and exception messages.
        return url + (user == null ? "" : " as " + user);
    }
}
