package io.meshmq.jms.jndi;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.MeshQueue;
import io.meshmq.jms.MeshTopic;

import javax.naming.ConfigurationException;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.spi.InitialContextFactory;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code java.naming.factory.initial=io.meshmq.jms.jndi.MeshInitialContextFactory}.
 * <p>
 * Environment entries (from {@code jndi.properties} or the {@code InitialContext} constructor):
 * <pre>
 * java.naming.provider.url = tcp://127.0.0.1:7918      the URL of the default factory
 * connectionFactory.NAME   = URL                       a factory bound as NAME
 * queue.JNDINAME           = queueName                 a queue bound as JNDINAME
 * topic.JNDINAME           = topicName                 a topic bound as JNDINAME
 * </pre>
 * Unless a {@code connectionFactory.*} entry is given, one factory for the provider URL (default
 * {@value MeshConnectionFactory#DEFAULT_URL}) is bound as {@code ConnectionFactory},
 * {@code QueueConnectionFactory}, {@code TopicConnectionFactory} and {@code XAConnectionFactory}. Lookups of
 * {@code dynamicQueues/NAME} and {@code dynamicTopics/NAME} create destinations on the fly.
 */
public final class MeshInitialContextFactory implements InitialContextFactory
{
    public static final String CONNECTION_FACTORY_PREFIX = "connectionFactory.";
    public static final String QUEUE_PREFIX = "queue.";
    public static final String TOPIC_PREFIX = "topic.";

    @Override
    public Context getInitialContext(final Hashtable<?, ?> environment) throws NamingException
    {
        final Hashtable<Object, Object> env = new Hashtable<>();
        if (environment != null)
        {
            env.putAll(environment);
        }
        final Object providerUrl = env.get(Context.PROVIDER_URL);
        final String defaultUrl = providerUrl == null || providerUrl.toString().isBlank() ?
            MeshConnectionFactory.DEFAULT_URL : providerUrl.toString().trim();

        final Map<String, Object> bindings = new LinkedHashMap<>();
        boolean factoryNamed = false;
        for (final Map.Entry<Object, Object> entry : env.entrySet())
        {
            final String key = String.valueOf(entry.getKey());
            final String value = String.valueOf(entry.getValue()).trim();
            if (key.startsWith(CONNECTION_FACTORY_PREFIX))
            {
                bindings.put(name(key, CONNECTION_FACTORY_PREFIX), factory(key, value.isEmpty() ? defaultUrl : value));
                factoryNamed = true;
            }
            else if (key.startsWith(QUEUE_PREFIX))
            {
                bindings.put(name(key, QUEUE_PREFIX), new MeshQueue(destinationName(key, value)));
            }
            else if (key.startsWith(TOPIC_PREFIX))
            {
                bindings.put(name(key, TOPIC_PREFIX), new MeshTopic(destinationName(key, value)));
            }
        }
        if (!factoryNamed)
        {
            final MeshConnectionFactory factory = factory(Context.PROVIDER_URL, defaultUrl);
            bindings.put("ConnectionFactory", factory);
            bindings.put("QueueConnectionFactory", factory);
            bindings.put("TopicConnectionFactory", factory);
            bindings.put("XAConnectionFactory", factory);
        }
        return new MeshContext(env, bindings);
    }

    private static String name(final String key, final String prefix) throws ConfigurationException
    {
        final String name = key.substring(prefix.length());
        if (name.isEmpty())
        {
            throw new ConfigurationException("JNDI entry '" + key + "' has no name after '" + prefix + "'");
        }
        return name;
    }

    private static String destinationName(final String key, final String value) throws ConfigurationException
    {
        if (value.isEmpty())
        {
            throw new ConfigurationException("JNDI entry '" + key + "' has no destination name");
        }
        return value;
    }

    private static MeshConnectionFactory factory(final String key, final String url) throws ConfigurationException
    {
        try
        {
            return new MeshConnectionFactory(url);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException("JNDI entry '" + key + "': " + ex.getMessage());
        }
    }
}
