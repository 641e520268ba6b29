package io.meshmq.tck.spring;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DefaultMessageListenerContainer} over MeshMQ as Spring applications run it (issue 22): transacted sessions
 * that redeliver what a listener threw on, every cache level, a concurrency range that grows while messages wait,
 * durable and shared subscriptions.
 */
class ListenerContainerTest
{
    private static final long DEADLINE_MS = 30_000;
    @RegisterExtension
    static final SpringBroker BROKER = new SpringBroker();
    private final List<DefaultMessageListenerContainer> containers = new ArrayList<>();
    private final List<String> redelivered = Collections.synchronizedList(new ArrayList<>());
    private CachingConnectionFactory caching;
    private JmsTemplate template;

    @BeforeEach
    void template()
    {
        caching = BROKER.caching();
        template = BROKER.template();
    }

    @AfterEach
    void stopContainers()
    {
        containers.forEach(DefaultMessageListenerContainer::shutdown);
    }

    @Test
    void shouldRedeliverWhatTheListenerThrewOnInATransactedSession() throws Exception
    {
        final String queue = name("transacted");
        final List<String> failed = Collections.synchronizedList(new ArrayList<>());
        final List<String> done = Collections.synchronizedList(new ArrayList<>());
        final DefaultMessageListenerContainer container = container(queue, message ->
        {
            final String text = text(message);
            if (failed.size() < 5 && !failed.contains(text))
            {
                failed.add(text);
                throw new IllegalStateException("first delivery of " + text + " fails");
            }
            done.add(text + (redelivered(message) ? " redelivered " + deliveryCount(message) : ""));
        });
        container.setSessionTransacted(true);
        start(container);

        for (int i = 0; i < 5; i++)
        {
            template.convertAndSend(queue, "m" + i);
        }
        await(() -> done.size() >= 5, () -> "done " + done + ", failed " + failed);
        assertEquals(List.of("m0 redelivered 2", "m1 redelivered 2", "m2 redelivered 2", "m3 redelivered 2",
            "m4 redelivered 2"), sorted(done));
    }

    @ParameterizedTest
    @ValueSource(ints = {DefaultMessageListenerContainer.CACHE_NONE, DefaultMessageListenerContainer.CACHE_CONNECTION,
        DefaultMessageListenerContainer.CACHE_SESSION, DefaultMessageListenerContainer.CACHE_CONSUMER,
        DefaultMessageListenerContainer.CACHE_AUTO})
    void shouldDeliverEachMessageOnceAtEveryCacheLevel(final int cacheLevel) throws Exception
    {
        final String queue = name("cache-" + cacheLevel);
        final ConcurrentHashMap<String, Integer> received = new ConcurrentHashMap<>();
        final DefaultMessageListenerContainer container = container(queue,
            message -> received.merge(text(message), 1, Integer::sum));
        container.setConnectionFactory(new MeshConnectionFactory(BROKER.url()));
        container.setCacheLevel(cacheLevel);
        container.setConcurrency("1-2");
        container.setReceiveTimeout(100);
        start(container);

        final int count = 200;
        for (int i = 0; i < count; i++)
        {
            template.convertAndSend(queue, "m" + i);
        }
        await(() -> received.size() >= count, () -> received.size() + " of " + count);
        received.forEach((text, times) -> assertEquals(1, times, text + " delivered " + times + " times"));
    }

    @Test
    void shouldGrowToTheTopOfItsConcurrencyRangeWhileMessagesWait() throws Exception
    {
        final String queue = name("concurrency");
        final AtomicInteger inListener = new AtomicInteger();
        final CountDownLatch allBusy = new CountDownLatch(1);
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final DefaultMessageListenerContainer container = container(queue, message ->
        {
            threads.add(Thread.currentThread().getName());
            if (inListener.incrementAndGet() >= 4)
            {
                allBusy.countDown();
            }
            try
            {
                allBusy.await(DEADLINE_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        });
        container.setConcurrency("1-4");
        start(container);

        for (int i = 0; i < 20; i++)
        {
            template.convertAndSend(queue, "m" + i);
        }
        assertTrue(allBusy.await(DEADLINE_MS, TimeUnit.MILLISECONDS),
            "four listener threads at once: a waiting consumer must not hold the messages the others could take; " +
            "threads that took one: " + threads);
    }

    @Test
    void shouldKeepWhatADurableSubscriptionMissedWhileItsContainerWasDown() throws Exception
    {
        final String topic = name("durable");
        caching.setClientId("spring-durable-" + UUID.randomUUID());
        template.setPubSubDomain(true);
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final DefaultMessageListenerContainer first = subscriber(topic, received);
        first.setSubscriptionDurable(true);
        first.setSubscriptionName("orders");
        start(first);
        await(first::isRegisteredWithDestination, () -> "subscribed");

        template.convertAndSend(topic, "while up");
        await(() -> received.contains("while up"), () -> "received " + received);
        first.shutdown();

        for (int i = 0; i < 3; i++)
        {
            template.convertAndSend(topic, "while down " + i);
        }
        final DefaultMessageListenerContainer second = subscriber(topic, received);
        second.setSubscriptionDurable(true);
        second.setSubscriptionName("orders");
        start(second);
        await(() -> received.size() >= 4, () -> "received " + received);
        // A message the first container's last receive got after it was told to stop is given back by Spring and
        // comes again marked redelivered, which JMS lets arrive out of order; the others keep their order.
        assertEquals(List.of("while down 0", "while down 1", "while down 2", "while up"), sorted(received));
        final List<String> firstTime = new ArrayList<>(received);
        firstTime.removeAll(redelivered);
        assertEquals(firstTime.stream().sorted(Comparator.comparing((String text) -> !text.equals("while up"))
            .thenComparing(Comparator.naturalOrder())).toList(), firstTime, "received " + received + ", of them " +
            "redelivered " + redelivered);
    }

    @Test
    void shouldShareASubscriptionAmongContainersOneMessageToOne() throws Exception
    {
        final String topic = name("shared");
        template.setPubSubDomain(true);
        final ConcurrentHashMap<String, Integer> received = new ConcurrentHashMap<>();
        final List<DefaultMessageListenerContainer> sharing = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            final DefaultMessageListenerContainer container = new DefaultMessageListenerContainer();
            container.setConnectionFactory(caching);
            container.setDestinationName(topic);
            container.setPubSubDomain(true);
            container.setSubscriptionShared(true);
            container.setSubscriptionDurable(i == 0);
            container.setSubscriptionName("shared-" + (i == 0 ? "durable" : "plain"));
            container.setMessageListener((MessageListener)message -> received.merge(text(message), 1, Integer::sum));
            sharing.add(container);
        }
        // Two containers on each subscription: each message reaches each subscription once, whichever container.
        for (final DefaultMessageListenerContainer container : List.copyOf(sharing))
        {
            final DefaultMessageListenerContainer twin = new DefaultMessageListenerContainer();
            twin.setConnectionFactory(caching);
            twin.setDestinationName(topic);
            twin.setPubSubDomain(true);
            twin.setSubscriptionShared(true);
            twin.setSubscriptionDurable(container.isSubscriptionDurable());
            twin.setSubscriptionName(container.getSubscriptionName());
            twin.setMessageListener(container.getMessageListener());
            sharing.add(twin);
        }
        for (final DefaultMessageListenerContainer container : sharing)
        {
            start(container);
        }
        for (final DefaultMessageListenerContainer container : sharing)
        {
            await(container::isRegisteredWithDestination, () -> "subscribed");
        }

        final int count = 100;
        for (int i = 0; i < count; i++)
        {
            template.convertAndSend(topic, "m" + i);
        }
        await(() -> received.size() >= count &&
            received.values().stream().mapToInt(Integer::intValue).sum() >= 2 * count, () -> "received " + received);
        received.forEach((text, times) -> assertEquals(2, times, text + ": once per subscription"));
    }

    private DefaultMessageListenerContainer subscriber(final String topic, final List<String> received)
    {
        final DefaultMessageListenerContainer container = container(topic, message ->
        {
            received.add(text(message));
            if (redelivered(message))
            {
                redelivered.add(text(message));
            }
        });
        container.setPubSubDomain(true);
        return container;
    }

    private DefaultMessageListenerContainer container(final String destination, final MessageListener listener)
    {
        final DefaultMessageListenerContainer container = new DefaultMessageListenerContainer();
        container.setConnectionFactory(caching);
        container.setDestinationName(destination);
        container.setMessageListener(listener);
        return container;
    }

    private void start(final DefaultMessageListenerContainer container)
    {
        containers.add(container);
        container.afterPropertiesSet();
        container.start();
    }

    static void await(final BooleanSupplier condition, final Supplier<String> state)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not within " + DEADLINE_MS + " ms: " + state.get());
            }
            Thread.sleep(10);
        }
    }

    static String text(final Message message)
    {
        try
        {
            return ((TextMessage)message).getText();
        }
        catch (final JMSException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static boolean redelivered(final Message message)
    {
        try
        {
            return message.getJMSRedelivered();
        }
        catch (final JMSException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static int deliveryCount(final Message message)
    {
        try
        {
            return message.getIntProperty("JMSXDeliveryCount");
        }
        catch (final JMSException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> sorted(final List<String> list)
    {
        synchronized (list)
        {
            return list.stream().sorted().toList();
        }
    }

    private static String name(final String use)
    {
        return SpringBroker.uniqueName("container-" + use);
    }
}
