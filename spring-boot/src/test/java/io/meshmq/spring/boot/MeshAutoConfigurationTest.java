package io.meshmq.spring.boot;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jms.JmsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration as a Spring Boot application meets it, with Boot's own {@link ApplicationContextRunner} and
 * a real broker in the test's JVM: {@code meshmq.*} properties give a working {@code JmsTemplate} and
 * {@code @JmsListener}; the application's own factory wins; a wrong property stops the start-up and names itself.
 */
class MeshAutoConfigurationTest
{
    @TempDir
    static Path dataDir;
    private static Broker broker;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, JmsAutoConfiguration.class));

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = Broker.start(new BrokerContext().port(0).dataDir(dataDir).ioThreads(1)
            .vmId("boot-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stopBroker()
    {
        broker.close();
    }

    @Test
    void shouldGiveACachingFactoryAndATemplateThatReachTheBroker()
    {
        runner.withPropertyValues("meshmq.url=" + broker.url(), "spring.jms.template.receive-timeout=10s")
            .run(context ->
            {
                assertThat(context).hasSingleBean(ConnectionFactory.class);
                final CachingConnectionFactory caching = context.getBean(CachingConnectionFactory.class);
                assertThat(((MeshConnectionFactory)caching.getTargetConnectionFactory()).getUrl())
                    .isEqualTo(broker.url());

                final JmsTemplate template = context.getBean(JmsTemplate.class);
                template.convertAndSend("boot.template", "through Boot");
                assertThat(template.receiveAndConvert("boot.template")).isEqualTo("through Boot");
            });
    }

    @Test
    void shouldApplyTheCacheProperties()
    {
        runner.withPropertyValues("meshmq.url=" + broker.url(), "spring.jms.cache.session-cache-size=5",
            "spring.jms.cache.consumers=true").run(context ->
            {
                final CachingConnectionFactory caching = context.getBean(CachingConnectionFactory.class);
                assertThat(caching.getSessionCacheSize()).isEqualTo(5);
                assertThat(caching.isCacheConsumers()).isTrue();
            });
    }

    @Test
    void shouldGiveThePlainFactoryWhenCachingIsOff()
    {
        runner.withPropertyValues("meshmq.url=" + broker.url(), "meshmq.user=app", "meshmq.password=secret",
            "spring.jms.cache.enabled=false").run(context ->
            {
                assertThat(context).hasSingleBean(ConnectionFactory.class);
                assertThat(context).doesNotHaveBean(CachingConnectionFactory.class);
                final MeshConnectionFactory factory = context.getBean(MeshConnectionFactory.class);
                assertThat(factory.getUrl()).isEqualTo(broker.url());
                assertThat(factory.getUser()).isEqualTo("app");
            });
    }

    @Test
    void shouldDeliverToAJmsListenerOfTheApplication()
    {
        runner.withPropertyValues("meshmq.url=" + broker.url()).withUserConfiguration(Listening.class).run(context ->
        {
            context.getBean(JmsTemplate.class).convertAndSend("boot.listened", "to the listener");
            assertThat(context.getBean(Listening.class).received.poll(10, TimeUnit.SECONDS))
                .isEqualTo("to the listener");
        });
    }

    @Test
    void shouldStepBackForTheApplicationsOwnFactory()
    {
        runner.withPropertyValues("meshmq.url=tcp://127.0.0.1:1").withUserConfiguration(OwnFactory.class).run(context ->
        {
            assertThat(context).hasSingleBean(ConnectionFactory.class);
            assertThat(context.getBean(ConnectionFactory.class)).isSameAs(context.getBean(OwnFactory.class).factory);
        });
    }

    @Test
    void shouldFailTheStartUpNamingAWrongUrl()
    {
        runner.withPropertyValues("meshmq.url=tpc://127.0.0.1:7918").run(context ->
        {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("meshmq.url = tpc://127.0.0.1:7918")
                .hasStackTraceContaining("scheme 'tpc', which no transport serves");
        });
    }

    @Test
    void shouldFailTheStartUpOnAPasswordWithoutAUser()
    {
        runner.withPropertyValues("meshmq.url=" + broker.url(), "meshmq.password=secret").run(context ->
        {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .hasMessage("meshmq.password is set without meshmq.user: set both or neither");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Listening
    {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        @JmsListener(destination = "boot.listened")
        void onMessage(final String text)
        {
            received.add(text);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnFactory
    {
        final ConnectionFactory factory = new MeshConnectionFactory("tcp://127.0.0.1:2");

        @Bean
        ConnectionFactory applicationsFactory()
        {
            return factory;
        }
    }
}
