package io.meshmq.tck.conformance;

import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What listeners may do to their own session, connection and context (specification 4.4.1, 6.1.5, 7.3.8): a message
 * listener must not close its session or context nor stop its context (the provider detects it and throws), while a
 * completion listener may stop its connection (issue 16, items 5 and 6).
 */
class ListenerRulesConformanceTest
{
    private static final long WAIT_S = 10;

    @EachTransport
    void shouldRefuseClosingTheSessionFromItsOwnMessageListener(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("listener-close"));
        final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        session.createConsumer(queue).setMessageListener(message ->
        {
            try
            {
                session.close();
                thrown.complete(null);
            }
            catch (final Throwable ex)
            {
                thrown.complete(ex);
            }
        });
        connection.start();
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        producing.createProducer(queue).send(producing.createTextMessage("close yourself"));
        assertEquals(IllegalStateException.class, classOf(thrown.get(WAIT_S, TimeUnit.SECONDS)));
    }

    @EachTransport
    void shouldRefuseClosingOrStoppingAContextFromItsOwnMessageListener(final Conformance env) throws Exception
    {
        try (JMSContext context = env.consumerFactory().createContext(JMSContext.AUTO_ACKNOWLEDGE))
        {
            final Queue queue = context.createQueue(env.name("context-close"));
            final CompletableFuture<Throwable> close = new CompletableFuture<>();
            final CompletableFuture<Throwable> stop = new CompletableFuture<>();
            context.createConsumer(queue).setMessageListener(message ->
            {
                close.complete(attempt(context::close));
                stop.complete(attempt(context::stop));
            });
            final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
            producing.createProducer(queue).send(producing.createTextMessage("stop yourself"));
            assertEquals(IllegalStateRuntimeException.class, classOf(close.get(WAIT_S, TimeUnit.SECONDS)));
            assertEquals(IllegalStateRuntimeException.class, classOf(stop.get(WAIT_S, TimeUnit.SECONDS)));
        }
    }

    @EachTransport
    void shouldLetACompletionListenerStopItsOwnConnection(final Conformance env) throws Exception
    {
        final Connection connection = env.producerConnection();
        connection.start();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = session.createProducer(session.createQueue(env.name("completion-stop")));
        final CompletableFuture<Throwable> stopped = new CompletableFuture<>();
        producer.send(session.createTextMessage("then stop"), new CompletionListener()
        {
            @Override
            public void onCompletion(final Message message)
            {
                stopped.complete(attempt(() ->
                {
                    try
                    {
                        connection.stop();
                    }
                    catch (final jakarta.jms.JMSException ex)
                    {
                        throw new IllegalStateRuntimeException(String.valueOf(ex.getMessage()));
                    }
                }));
            }

            @Override
            public void onException(final Message message, final Exception exception)
            {
                stopped.complete(exception);
            }
        });
        assertNull(stopped.get(WAIT_S, TimeUnit.SECONDS), "stop() from a completion listener is allowed");
    }

    private static Throwable attempt(final Runnable action)
    {
        try
        {
            action.run();
            return null;
        }
        catch (final Throwable ex)
        {
            return ex;
        }
    }

    private static Class<?> classOf(final Throwable thrown)
    {
        return thrown == null ? null : thrown.getClass();
    }
}
