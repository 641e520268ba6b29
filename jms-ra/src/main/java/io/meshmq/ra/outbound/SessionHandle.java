package io.meshmq.ra.outbound;

import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.QueueReceiver;
import jakarta.jms.QueueSender;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.jms.TopicPublisher;
import jakarta.jms.TopicSession;
import jakarta.jms.TopicSubscriber;
import jakarta.jms.TransactionInProgressException;

import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's view of the pooled connection's session. Producers, consumers and browsers it makes are closed
 * with it, since the session itself stays open in the pool. In a transaction it is transacted and the transaction
 * manager commits; outside one it acknowledges automatically.
 */
final class SessionHandle implements Session, QueueSession, TopicSession
{
    private interface Closer
    {
        void close() throws JMSException;
    }

    private final ConnectionHandle connection;
    private final List<Closer> made = new ArrayList<>();
    private volatile boolean closed;

    SessionHandle(final ConnectionHandle connection)
    {
        this.connection = connection;
    }

    boolean isClosed()
    {
        return closed;
    }

    private Session physical() throws JMSException
    {
        if (closed)
        {
            throw new IllegalStateException("this session was closed (or its connection taken back by its pool)");
        }
        connection.checkOpen();
        return connection.managed().session();
    }

    private boolean inTransaction()
    {
        return connection.managed().inTransaction();
    }

    private <T> T made(final T made, final Closer closer)
    {
        synchronized (this.made)
        {
            this.made.add(closer);
        }
        return made;
    }

    // ---- transactions and acknowledgement -------------------------------------------------------------------

    @Override
    public boolean getTransacted() throws JMSException
    {
        physical();
        return inTransaction();
    }

    @Override
    public int getAcknowledgeMode() throws JMSException
    {
        physical();
        return inTransaction() ? SESSION_TRANSACTED : AUTO_ACKNOWLEDGE;
    }

    @Override
    public void commit() throws JMSException
    {
        physical();
        throw notTheApplications("commit");
    }

    @Override
    public void rollback() throws JMSException
    {
        physical();
        throw notTheApplications("rollback");
    }

    private JMSException notTheApplications(final String method)
    {
        return inTransaction() ?
            new TransactionInProgressException(method + "() on a session in a container transaction: the transaction " +
                "manager completes it (or call setRollbackOnly)") :
            new IllegalStateException(method + "() on a session that is not transacted: outside a transaction a " +
                "session in a Jakarta EE container acknowledges automatically");
    }

    @Override
    public void recover() throws JMSException
    {
        final Session session = physical();
        if (inTransaction())
        {
            throw new IllegalStateException("recover() on a session in a container transaction");
        }
        session.recover();
    }

    @Override
    public MessageListener getMessageListener() throws JMSException
    {
        throw ConnectionHandle.forbidden("getMessageListener");
    }

    @Override
    public void setMessageListener(final MessageListener listener) throws JMSException
    {
        throw ConnectionHandle.forbidden("setMessageListener");
    }

    @Override
    public void run()
    {
        throw new java.lang.IllegalStateException("Session.run may not be called in a Jakarta EE web or EJB container");
    }

    @Override
    public void close() throws JMSException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final List<Closer> toClose;
        synchronized (made)
        {
            toClose = new ArrayList<>(made);
            made.clear();
        }
        JMSException first = null;
        for (final Closer closer : toClose)
        {
            try
            {
                closer.close();
            }
            catch (final JMSException ex)
            {
                first = first == null ? ex : first;
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    void closeQuietly()
    {
        try
        {
            close();
        }
        catch (final JMSException ignore)
        {
            // the pooled connection is being cleaned up or destroyed regardless
        }
    }

    // ---- messages ------------------------------------------------------------------------------------------

    @Override
    public BytesMessage createBytesMessage() throws JMSException
    {
        return physical().createBytesMessage();
    }

    @Override
    public MapMessage createMapMessage() throws JMSException
    {
        return physical().createMapMessage();
    }

    @Override
    public Message createMessage() throws JMSException
    {
        return physical().createMessage();
    }

    @Override
    public ObjectMessage createObjectMessage() throws JMSException
    {
        return physical().createObjectMessage();
    }

    @Override
    public ObjectMessage createObjectMessage(final Serializable object) throws JMSException
    {
        return physical().createObjectMessage(object);
    }

    @Override
    public StreamMessage createStreamMessage() throws JMSException
    {
        return physical().createStreamMessage();
    }

    @Override
    public TextMessage createTextMessage() throws JMSException
    {
        return physical().createTextMessage();
    }

    @Override
    public TextMessage createTextMessage(final String text) throws JMSException
    {
        return physical().createTextMessage(text);
    }

    // ---- destinations --------------------------------------------------------------------------------------

    @Override
    public Queue createQueue(final String queueName) throws JMSException
    {
        return physical().createQueue(queueName);
    }

    @Override
    public Topic createTopic(final String topicName) throws JMSException
    {
        return physical().createTopic(topicName);
    }

    @Override
    public TemporaryQueue createTemporaryQueue() throws JMSException
    {
        return physical().createTemporaryQueue();
    }

    @Override
    public TemporaryTopic createTemporaryTopic() throws JMSException
    {
        return physical().createTemporaryTopic();
    }

    @Override
    public void unsubscribe(final String name) throws JMSException
    {
        physical().unsubscribe(name);
    }

    // ---- producers, consumers, browsers --------------------------------------------------------------------

    @Override
    public MessageProducer createProducer(final Destination destination) throws JMSException
    {
        final MessageProducer producer = physical().createProducer(destination);
        return made(producer, producer::close);
    }

    @Override
    public QueueSender createSender(final Queue queue) throws JMSException
    {
        final QueueSender sender = queueSession().createSender(queue);
        return made(sender, sender::close);
    }

    @Override
    public TopicPublisher createPublisher(final Topic topic) throws JMSException
    {
        final TopicPublisher publisher = topicSession().createPublisher(topic);
        return made(publisher, publisher::close);
    }

    @Override
    public MessageConsumer createConsumer(final Destination destination) throws JMSException
    {
        return consumer(physical().createConsumer(destination));
    }

    @Override
    public MessageConsumer createConsumer(final Destination destination, final String messageSelector)
        throws JMSException
    {
        return consumer(physical().createConsumer(destination, messageSelector));
    }

    @Override
    public MessageConsumer createConsumer(final Destination destination, final String messageSelector,
        final boolean noLocal) throws JMSException
    {
        return consumer(physical().createConsumer(destination, messageSelector, noLocal));
    }

    @Override
    public MessageConsumer createSharedConsumer(final Topic topic, final String sharedSubscriptionName)
        throws JMSException
    {
        return consumer(physical().createSharedConsumer(topic, sharedSubscriptionName));
    }

    @Override
    public MessageConsumer createSharedConsumer(final Topic topic, final String sharedSubscriptionName,
        final String messageSelector) throws JMSException
    {
        return consumer(physical().createSharedConsumer(topic, sharedSubscriptionName, messageSelector));
    }

    @Override
    public TopicSubscriber createDurableSubscriber(final Topic topic, final String name) throws JMSException
    {
        return consumer(physical().createDurableSubscriber(topic, name));
    }

    @Override
    public TopicSubscriber createDurableSubscriber(final Topic topic, final String name, final String messageSelector,
        final boolean noLocal) throws JMSException
    {
        return consumer(physical().createDurableSubscriber(topic, name, messageSelector, noLocal));
    }

    @Override
    public MessageConsumer createDurableConsumer(final Topic topic, final String name) throws JMSException
    {
        return consumer(physical().createDurableConsumer(topic, name));
    }

    @Override
    public MessageConsumer createDurableConsumer(final Topic topic, final String name, final String messageSelector,
        final boolean noLocal) throws JMSException
    {
        return consumer(physical().createDurableConsumer(topic, name, messageSelector, noLocal));
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(final Topic topic, final String name) throws JMSException
    {
        return consumer(physical().createSharedDurableConsumer(topic, name));
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(final Topic topic, final String name,
        final String messageSelector) throws JMSException
    {
        return consumer(physical().createSharedDurableConsumer(topic, name, messageSelector));
    }

    @Override
    public QueueReceiver createReceiver(final Queue queue) throws JMSException
    {
        return consumer(queueSession().createReceiver(queue));
    }

    @Override
    public QueueReceiver createReceiver(final Queue queue, final String messageSelector) throws JMSException
    {
        return consumer(queueSession().createReceiver(queue, messageSelector));
    }

    @Override
    public TopicSubscriber createSubscriber(final Topic topic) throws JMSException
    {
        return consumer(topicSession().createSubscriber(topic));
    }

    @Override
    public TopicSubscriber createSubscriber(final Topic topic, final String messageSelector, final boolean noLocal)
        throws JMSException
    {
        return consumer(topicSession().createSubscriber(topic, messageSelector, noLocal));
    }

    @Override
    public QueueBrowser createBrowser(final Queue queue) throws JMSException
    {
        final QueueBrowser browser = physical().createBrowser(queue);
        return made(browser, browser::close);
    }

    @Override
    public QueueBrowser createBrowser(final Queue queue, final String messageSelector) throws JMSException
    {
        final QueueBrowser browser = physical().createBrowser(queue, messageSelector);
        return made(browser, browser::close);
    }

    /**
     * A consumer as the physical session made it, but refusing a message listener (forbidden in a container).
     */
    @SuppressWarnings("unchecked")
    private <T extends MessageConsumer> T consumer(final T consumer)
    {
        final List<Class<?>> views = new ArrayList<>(List.of(MessageConsumer.class));
        if (consumer instanceof QueueReceiver)
        {
            views.add(QueueReceiver.class);
        }
        if (consumer instanceof TopicSubscriber)
        {
            views.add(TopicSubscriber.class);
        }
        final T guarded = (T)Proxy.newProxyInstance(SessionHandle.class.getClassLoader(),
            views.toArray(new Class<?>[0]), new ListenerRefusal(consumer));
        return made(guarded, consumer::close);
    }

    /**
     * @return the consumer the physical session made behind one this handle gave out (a JMSContext wraps it).
     */
    static MessageConsumer physical(final MessageConsumer guarded)
    {
        return Proxy.isProxyClass(guarded.getClass()) &&
            Proxy.getInvocationHandler(guarded) instanceof ListenerRefusal refusal ? refusal.consumer : guarded;
    }

    private record ListenerRefusal(MessageConsumer consumer) implements InvocationHandler
    {
        @Override
        public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable
        {
            if (method.getName().equals("setMessageListener") || method.getName().equals("getMessageListener"))
            {
                throw ConnectionHandle.forbidden("MessageConsumer." + method.getName());
            }
            try
            {
                return method.invoke(consumer, args);
            }
            catch (final InvocationTargetException ex)
            {
                throw ex.getCause();
            }
        }
    }

    private QueueSession queueSession() throws JMSException
    {
        return (QueueSession)physical();
    }

    private TopicSession topicSession() throws JMSException
    {
        return (TopicSession)physical();
    }
}
