package io.meshmq.jms;

import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.MessageListener;

/**
 * The simplified API's consumer, over a classic {@link MeshMessageConsumer}.
 */
final class MeshJMSConsumer implements JMSConsumer
{
    private final MeshMessageConsumer consumer;
    private final boolean listenersAllowed;

    MeshJMSConsumer(final MeshMessageConsumer consumer, final boolean listenersAllowed)
    {
        this.consumer = consumer;
        this.listenersAllowed = listenersAllowed;
    }

    private void checkListenersAllowed(final String method)
    {
        if (!listenersAllowed)
        {
            throw new IllegalStateRuntimeException("JMSConsumer." + method + " may not be called in a Jakarta EE web " +
                "or EJB container (Jakarta Messaging 3.1, section 12.2)");
        }
    }

    @Override
    public String getMessageSelector()
    {
        return MeshJMSContext.call(consumer::getMessageSelector);
    }

    @Override
    public MessageListener getMessageListener() throws JMSRuntimeException
    {
        checkListenersAllowed("getMessageListener");
        return MeshJMSContext.call(consumer::getMessageListener);
    }

    @Override
    public void setMessageListener(final MessageListener listener) throws JMSRuntimeException
    {
        checkListenersAllowed("setMessageListener");
        MeshJMSContext.run(() -> consumer.setMessageListener(listener));
    }

    @Override
    public Message receive()
    {
        return MeshJMSContext.call(consumer::receive);
    }

    @Override
    public Message receive(final long timeout)
    {
        return MeshJMSContext.call(() -> consumer.receive(timeout));
    }

    @Override
    public Message receiveNoWait()
    {
        return MeshJMSContext.call(consumer::receiveNoWait);
    }

    @Override
    public void close()
    {
        MeshJMSContext.run(consumer::close);
    }

    @Override
    public <T> T receiveBody(final Class<T> c)
    {
        return body(c, 0);
    }

    @Override
    public <T> T receiveBody(final Class<T> c, final long timeout)
    {
        return body(c, timeout <= 0 ? 0 : timeout);
    }

    @Override
    public <T> T receiveBodyNoWait(final Class<T> c)
    {
        return body(c, -1);
    }

    private <T> T body(final Class<T> c, final long timeoutMs)
    {
        try
        {
            return consumer.receiveBody(c, timeoutMs);
        }
        catch (final MessageFormatException ex)
        {
            throw new MessageFormatRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }
}
