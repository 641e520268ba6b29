package io.meshmq.spring.boot;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.ConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jms.JmsAutoConfiguration;
import org.springframework.boot.autoconfigure.jms.JmsProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * A MeshMQ {@link ConnectionFactory} for a Spring Boot application that has none of its own, before Boot's JMS
 * auto-configuration, which then gives the application its {@code JmsTemplate} and {@code @JmsListener} containers.
 * <p>
 * As Boot does for the brokers it knows, the factory is wrapped in a {@link CachingConnectionFactory} unless
 * {@code spring.jms.cache.enabled = false}, with {@code spring.jms.cache.session-cache-size}, {@code consumers} and
 * {@code producers} applied.
 */
@AutoConfiguration(before = JmsAutoConfiguration.class)
@ConditionalOnClass({ConnectionFactory.class, MeshConnectionFactory.class})
@ConditionalOnMissingBean(ConnectionFactory.class)
@EnableConfigurationProperties({MeshProperties.class, JmsProperties.class})
public class MeshAutoConfiguration
{
    @Bean(name = "jmsConnectionFactory")
    @ConditionalOnProperty(prefix = "spring.jms.cache", name = "enabled", havingValue = "true", matchIfMissing = true)
    public CachingConnectionFactory cachingJmsConnectionFactory(final MeshProperties mesh, final JmsProperties jms)
    {
        final JmsProperties.Cache cache = jms.getCache();
        final CachingConnectionFactory caching = new CachingConnectionFactory(connectionFactory(mesh));
        caching.setSessionCacheSize(cache.getSessionCacheSize());
        caching.setCacheConsumers(cache.isConsumers());
        caching.setCacheProducers(cache.isProducers());
        return caching;
    }

    @Bean(name = "jmsConnectionFactory")
    @ConditionalOnProperty(prefix = "spring.jms.cache", name = "enabled", havingValue = "false")
    public MeshConnectionFactory jmsConnectionFactory(final MeshProperties mesh)
    {
        return connectionFactory(mesh);
    }

    /**
     * @throws IllegalArgumentException naming the property and what is wrong with it, so the application fails at
     *                                  start-up instead of at its first send.
     */
    static MeshConnectionFactory connectionFactory(final MeshProperties mesh)
    {
        final MeshConnectionFactory factory;
        try
        {
            factory = new MeshConnectionFactory(mesh.getUrl());
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("meshmq.url = " + mesh.getUrl() + ": " + e.getMessage(), e);
        }
        if (mesh.getPassword() != null && mesh.getUser() == null)
        {
            throw new IllegalArgumentException("meshmq.password is set without meshmq.user: set both or neither");
        }
        factory.setUser(mesh.getUser());
        factory.setPassword(mesh.getPassword());
        return factory;
    }
}
