package io.meshmq.ra;

import java.io.Serializable;

/**
 * The JavaBean properties saying which brokers and as whom, shared by the adapter (the defaults), each connection
 * pool and each MDB activation (which may override them). Empty values count as unset, as servers pass them.
 */
public abstract class BrokerSettings implements Serializable
{
    private static final long serialVersionUID = 1L;

    private String connectionURL;
    private String user;
    private String password;

    public String getConnectionURL()
    {
        return connectionURL;
    }

    /**
     * @param connectionURL a MeshMQ URL, or a list of them with failover, as the client takes it.
     */
    public void setConnectionURL(final String connectionURL)
    {
        this.connectionURL = BrokerLogin.blankAsNull(connectionURL);
    }

    public String getUser()
    {
        return user;
    }

    public void setUser(final String user)
    {
        this.user = BrokerLogin.blankAsNull(user);
    }

    public String getPassword()
    {
        return password;
    }

    public void setPassword(final String password)
    {
        this.password = password;
    }

    /**
     * @return this bean's login, each unset part taken from {@code defaults} (null for none).
     */
    protected BrokerLogin login(final BrokerSettings defaults)
    {
        final String url = connectionURL != null || defaults == null ? connectionURL : defaults.getConnectionURL();
        if (user != null || defaults == null)
        {
            return new BrokerLogin(url, user, password);
        }
        return new BrokerLogin(url, defaults.getUser(), defaults.getPassword());
    }
}
