package io.meshmq.spring.boot;

import io.meshmq.jms.MeshConnectionFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What a Spring Boot application sets to reach MeshMQ: {@code meshmq.url} (a broker URL or a failover list, as
 * {@link MeshConnectionFactory} takes it), {@code meshmq.user}, {@code meshmq.password}.
 */
@ConfigurationProperties(prefix = "meshmq")
public class MeshProperties
{
    private String url = MeshConnectionFactory.DEFAULT_URL;
    private String user;
    private String password;

    public String getUrl()
    {
        return url;
    }

    public void setUrl(final String url)
    {
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

    public String getPassword()
    {
        return password;
    }

    public void setPassword(final String password)
    {
        this.password = password;
    }
}
