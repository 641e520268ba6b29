package io.meshmq.metrics.jmx;

/**
 * The broker as JMX shows it, named {@code io.meshmq:broker="NAME"}: its destinations, and making and deleting them
 * (the same verbs as {@code ./meshmq queue create} and the rest, with the same checks).
 */
public interface BrokerControlMBean
{
    String getName();

    String getVersion();

    String getUrl();

    String[] getQueueNames();

    String[] getTopicNames();

    long getConnectionCount();

    /**
     * @return one line per connection: id, address, user, client id, kind, consumers.
     */
    String[] listConnections();

    /**
     * Closes the connection as if its network went; its unacknowledged messages go back.
     */
    void closeConnection(long id);

    boolean createQueue(String name);

    /**
     * @return how many messages were dropped with it.
     */
    long deleteQueue(String name);

    boolean createTopic(String name);

    void deleteTopic(String name);
}
