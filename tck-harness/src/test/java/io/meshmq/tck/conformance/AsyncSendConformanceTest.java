package io.meshmq.tck.conformance;

import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 7.3: asynchronous send with a CompletionListener.
 */
class AsyncSendConformanceTest
{
    @EachTransport
    void shouldCompleteEverySendInOrder(final Conformance env) throws Exception
    {
        final Connection connection = env.producerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("async"));
        final MessageProducer producer = session.createProducer(queue);
        final List<String> completed = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(100);
        for (int i = 0; i < 100; i++)
        {
            producer.send(session.createTextMessage("m" + i), new CompletionListener()
            {
                @Override
                public void onCompletion(final Message message)
                {
                    try
                    {
                        completed.add(((TextMessage)message).getText());
                    }
                    catch (final Exception ex)
                    {
                        completed.add("failed: " + ex);
                    }
                    done.countDown();
                }

                @Override
                public void onException(final Message message, final Exception exception)
                {
                    completed.add("exception: " + exception);
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 100; i++)
        {
            assertEquals("m" + i, completed.get(i), "callbacks of one session come in send order");
        }
    }

    @EachTransport
    void shouldRefuseCloseCommitAndRollbackFromACompletionCallback(final Conformance env) throws Exception
    {
        final Connection connection = env.producerConnection();
        final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        final MessageProducer producer = session.createProducer(session.createQueue(env.name("async-rules")));
        final List<Class<?>> thrown = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        producer.send(session.createTextMessage("x"), new CompletionListener()
        {
            @Override
            public void onCompletion(final Message message)
            {
                for (final Runnable call : List.<Runnable>of(
                    () -> attempt(session::commit, thrown), () -> attempt(session::rollback, thrown),
                    () -> attempt(session::close, thrown), () -> attempt(producer::close, thrown),
                    () -> attempt(connection::close, thrown)))
                {
                    call.run();
                }
                done.countDown();
            }

            @Override
            public void onException(final Message message, final Exception exception)
            {
                done.countDown();
            }
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(IllegalStateException.class, IllegalStateException.class, IllegalStateException.class,
            IllegalStateException.class, IllegalStateException.class), thrown);
        session.commit();
    }

    private interface JmsCall
    {
        void run() throws Exception;
    }

    private static void attempt(final JmsCall call, final List<Class<?>> thrown)
    {
        try
        {
            call.run();
            thrown.add(Void.class);
        }
        catch (final Exception ex)
        {
            thrown.add(ex.getClass());
        }
    }
}
