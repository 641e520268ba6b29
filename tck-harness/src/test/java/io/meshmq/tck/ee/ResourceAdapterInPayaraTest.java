package io.meshmq.tck.ee;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.ee.app.OrderMdb;
import io.meshmq.tck.ee.app.OrdersServlet;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The resource adapter in a real Jakarta EE server (Payara Micro 6): an MDB consumes orders from MeshMQ and, in one
 * container-managed XA transaction, records each in a database (H2, an XA data source of the server's) and sends a
 * confirmation through the adapter's pooled factory; a servlet sends orders through that factory. An MDB failure
 * rolls back the row and the confirmation and the order comes again. The broker is killed with kill -9 in the middle
 * of two-phase commits and restarted: the MDB and the pool connect again by themselves, the transactions left in
 * doubt are recovered through the adapter when the server starts again, and no order is lost or done twice.
 */
class ResourceAdapterInPayaraTest
{
    private static final long DEADLINE_MS = 180_000;

    @TempDir
    Path work;

    @Test
    void shouldDeliverToAnMdbInXaTransactionsWithADatabaseAndSurviveABrokerKill() throws Exception
    {
        final Path brokerData = work.resolve("broker");
        BrokerProcess broker = BrokerProcess.start(brokerData);
        final int brokerPort = broker.port();
        final Path war = writeApplication(work.resolve("orders.war"), "tcp://127.0.0.1:" + brokerPort);
        final Path rar = work.resolve("meshmq-ra.rar");
        Files.copy(PayaraMicro.HOME.resolve("meshmq-ra.rar"), rar);
        final Confirmations confirmations = new Confirmations(broker.url());
        // A server-wide pool beside the application's: the transaction manager recovers through the XA resources of
        // such pools when it starts. (GlassFish's inbound recovery asks the adapter's getXAResources, then drops what
        // it returns; an application's own pool is not looked at.)
        final List<String> recoveryPool = List.of(
            "create-connector-connection-pool --raname meshmq-ra " +
                "--connectiondefinition jakarta.jms.ConnectionFactory --transactionsupport XATransaction --property connectionURL=tcp\\://127.0.0.1\\:" + brokerPort +
                " meshmq-recovery",
            "create-connector-resource --poolname meshmq-recovery jms/meshmq-recovery");
        // The database is a server-wide XA pool too, so that its branches left in doubt by a broker that died in
        // phase two are recovered with the broker's when the server starts again.
        final List<Path> h2 = List.of(
            Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        final String database = work.resolve("db").resolve("orders").toAbsolutePath().toString();
        final List<String> databasePool = List.of(
            "create-jdbc-connection-pool --datasourceclassname org.h2.jdbcx.JdbcDataSource " +
                "--restype javax.sql.XADataSource --property user=sa:password=sa:url=jdbc\\:h2\\:file\\:" +
                database.replace(":", "\\:") + " orders-database",
            "create-jdbc-resource --connectionpoolid orders-database jdbc/orders");
        final int httpPort = freePort();
        PayaraMicro payara = PayaraMicro.start(work, httpPort, h2, databasePool, recoveryPool, rar, war);
        try
        {
            payara.awaitAnswer("/orders/orders", DEADLINE_MS);
            confirmations.start();
            final PayaraMicro firstRun = payara;

            // The servlet sends through the pool (classic API, and an injected JMSContext); the MDB takes each in a
            // transaction with the database.
            assertEquals(200, firstRun.post("/orders/orders?prefix=web&count=20").statusCode());
            assertEquals(200, firstRun.post("/orders/orders?prefix=injected&count=5&api=context").statusCode());
            assertEquals(200, firstRun.post("/orders/orders?prefix=fail-once&count=1").statusCode());
            final List<String> firstOrders = names("web", 20);
            firstOrders.addAll(names("injected", 5));
            firstOrders.add("fail-once-0");
            await(() -> confirmations.texts().containsAll(firstOrders), () -> "confirmations " +
                confirmations.texts() + "\n" + firstRun.output());
            final Map<String, List<Integer>> rows = rows(firstRun);
            for (final String order : firstOrders.subList(0, 25))
            {
                assertEquals(List.of(1), rows.get(order), order + " recorded once, at its first delivery");
            }
            assertEquals(List.of(2), rows.get("fail-once-0"),
                "the failed first delivery's row rolled back; the second delivery's stayed");
            assertEquals(List.of(2), confirmations.deliveriesOf("fail-once-0"),
                "the failed first delivery's confirmation rolled back");

            // kill -9 the broker while the MDB works through 200 orders. Transactions caught between prepare and
            // commit are in doubt: their branches, prepared on the broker, hold their orders until the transaction
            // manager recovers them, which Payara does when it starts. So once the broker is back on its data, the
            // server is restarted as after any crash of a resource.
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = connection.createSession();
                final MessageProducer producer = session.createProducer(session.createQueue("orders"));
                for (final String order : names("kill", 200))
                {
                    producer.send(session.createTextMessage(order));
                }
            }
            await(() -> confirmations.count("kill-") >= 40, () -> "confirmations " + confirmations.texts());
            broker.kill();
            broker.close();
            broker = BrokerProcess.startNode(brokerData, "crash", brokerPort);
            payara.close();
            // Started again on its root directory, where the adapter, the application and the pool are deployed
            // already: deploying them again would undeploy the adapter under the recovery that is using it.
            payara = PayaraMicro.start(work, httpPort, h2, List.of(), List.of());
            payara.awaitAnswer("/orders/orders", DEADLINE_MS);
            final PayaraMicro restarted = payara;
            final List<String> killOrders = names("kill", 200);
            final String brokerUrl = broker.url();
            final BrokerProcess restartedBroker = broker;
            await(() -> confirmations.texts().containsAll(killOrders), () -> "missing " + missing(killOrders,
                confirmations.texts()) + "\n" + whereAre(missing(killOrders, confirmations.texts()), brokerUrl,
                restarted) + "\nthe broker said:\n" + restartedBroker.recentOutput() + "\nPayara on recovery:\n" +
                restarted.recoveryLines() + "\nPayara's last lines:\n" + restarted.output());
            confirmations.assertEachSentOnce();
            final Map<String, List<Integer>> after = rows(restarted);
            for (final String order : killOrders)
            {
                assertEquals(1, after.getOrDefault(order, List.of()).size(), order + " recorded once: " +
                    after.get(order));
            }
            assertEquals(226, after.size(), "orders recorded: " + after.keySet());
        }
        finally
        {
            confirmations.stop();
            payara.close();
            broker.close();
        }
    }

    private static List<String> names(final String prefix, final int count)
    {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i)
            .collect(Collectors.toCollection(ArrayList::new));
    }

    private static List<String> missing(final List<String> wanted, final Set<String> have)
    {
        return wanted.stream().filter(text -> !have.contains(text)).toList();
    }

    /**
     * Where the missing orders are: the broker's orders and confirmations queues, the branches prepared on it and not
     * yet resolved, and the database's rows.
     */
    private static String whereAre(final List<String> missing, final String url, final PayaraMicro payara)
    {
        final StringBuilder state = new StringBuilder();
        try (XAConnection connection = new MeshConnectionFactory(url).createXAConnection())
        {
            final XASession session = connection.createXASession();
            for (final String queue : List.of("orders", "confirmations"))
            {
                final List<String> queued = new ArrayList<>();
                final var browsing = session.getSession().createBrowser(session.getSession().createQueue(queue))
                    .getEnumeration();
                while (browsing.hasMoreElements())
                {
                    queued.add(((TextMessage)browsing.nextElement()).getText());
                }
                state.append("the broker's ").append(queue).append(" queue holds ").append(queued).append("; ");
            }
            final Xid[] prepared = session.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            state.append("branches prepared on it: ").append(prepared.length).append("; ");
        }
        catch (final JMSException | XAException ex)
        {
            state.append("(the broker could not be asked what it holds: ").append(ex).append(") ");
        }
        try
        {
            final Map<String, List<Integer>> rows = rows(payara);
            missing.forEach(order -> state.append("rows of ").append(order).append(": ").append(rows.get(order))
                .append("; "));
        }
        catch (final IOException | InterruptedException ex)
        {
            state.append("(no rows: ").append(ex).append(")");
        }
        return state.toString();
    }

    /**
     * @return the database's rows: each order's deliveries that committed.
     */
    private static Map<String, List<Integer>> rows(final PayaraMicro payara) throws IOException, InterruptedException
    {
        final String body = payara.get("/orders/orders").body();
        final Map<String, List<Integer>> rows = new TreeMap<>();
        for (final String line : body.split("\n"))
        {
            if (!line.isBlank())
            {
                final String[] parts = line.trim().split(" ");
                rows.computeIfAbsent(parts[0], text -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            }
        }
        return rows;
    }

    /**
     * The application the server deploys: the MDB and servlet classes, and descriptors naming this run's broker
     * (activation of the MDB through the MeshMQ adapter, a pooled XA connection factory). Its database is the
     * server's pool {@code jdbc/orders}.
     */
    private static Path writeApplication(final Path war, final String brokerUrl) throws IOException
    {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(war)))
        {
            for (final Class<?> type : List.of(OrderMdb.class, OrdersServlet.class))
            {
                final String name = type.getName().replace('.', '/') + ".class";
                put(out, "WEB-INF/classes/" + name, type.getClassLoader().getResourceAsStream(name).readAllBytes());
            }
            put(out, "WEB-INF/web.xml", ("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <jms-connection-factory>
                    <name>java:app/jms/meshmq</name>
                    <interface-name>jakarta.jms.ConnectionFactory</interface-name>
                    <resource-adapter>meshmq-ra</resource-adapter>
                    <transactional>true</transactional>
                    <max-pool-size>16</max-pool-size>
                    <property>
                      <name>connectionURL</name>
                      <value>%s</value>
                    </property>
                  </jms-connection-factory>
                </web-app>
                """).formatted(brokerUrl).getBytes(StandardCharsets.UTF_8));
            // the servlet's injected JMSContext needs CDI in this module
            put(out, "WEB-INF/beans.xml", """
                <beans xmlns="https://jakarta.ee/xml/ns/jakartaee" version="4.0" bean-discovery-mode="all"/>
                """.getBytes(StandardCharsets.UTF_8));
            put(out, "WEB-INF/glassfish-ejb-jar.xml", ("""
                <?xml version="1.0" encoding="UTF-8"?>
                <glassfish-ejb-jar>
                  <enterprise-beans>
                    <ejb>
                      <ejb-name>OrderMdb</ejb-name>
                      <mdb-resource-adapter>
                        <resource-adapter-mid>meshmq-ra</resource-adapter-mid>
                        <activation-config>
                          <activation-config-property>
                            <activation-config-property-name>destination</activation-config-property-name>
                            <activation-config-property-value>orders</activation-config-property-value>
                          </activation-config-property>
                          <activation-config-property>
                            <activation-config-property-name>destinationType</activation-config-property-name>
                            <activation-config-property-value>jakarta.jms.Queue</activation-config-property-value>
                          </activation-config-property>
                          <activation-config-property>
                            <activation-config-property-name>connectionURL</activation-config-property-name>
                            <activation-config-property-value>%s</activation-config-property-value>
                          </activation-config-property>
                          <activation-config-property>
                            <activation-config-property-name>maxSession</activation-config-property-name>
                            <activation-config-property-value>4</activation-config-property-value>
                          </activation-config-property>
                          <activation-config-property>
                            <activation-config-property-name>reconnectIntervalMs</activation-config-property-name>
                            <activation-config-property-value>200</activation-config-property-value>
                          </activation-config-property>
                        </activation-config>
                      </mdb-resource-adapter>
                    </ejb>
                  </enterprise-beans>
                </glassfish-ejb-jar>
                """).formatted(brokerUrl).getBytes(StandardCharsets.UTF_8));
        }
        return war;
    }

    private static void put(final JarOutputStream out, final String name, final byte[] content) throws IOException
    {
        out.putNextEntry(new JarEntry(name));
        out.write(content);
        out.closeEntry();
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static void await(final BooleanSupplier condition, final Supplier<String> state)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not within " + DEADLINE_MS + " ms: " + state.get());
            }
            Thread.sleep(50);
        }
    }

    /**
     * Everything that arrives on the confirmations queue, by text: the message ids (two for one text means the MDB
     * sent it twice) and the MDB's delivery count. Reconnects while the broker is away.
     */
    private static final class Confirmations implements Runnable
    {
        private final String url;
        private final Map<String, Set<String>> ids = new ConcurrentHashMap<>();
        private final Map<String, List<Integer>> deliveries = new ConcurrentHashMap<>();
        private final Thread thread = new Thread(this, "confirmations");
        private volatile boolean stopped;

        Confirmations(final String url)
        {
            this.url = url;
        }

        void start()
        {
            thread.start();
        }

        void stop() throws InterruptedException
        {
            stopped = true;
            thread.join(10_000);
        }

        Set<String> texts()
        {
            return ids.keySet();
        }

        long count(final String prefix)
        {
            return ids.keySet().stream().filter(text -> text.startsWith(prefix)).count();
        }

        List<Integer> deliveriesOf(final String text)
        {
            return deliveries.get(text);
        }

        void assertEachSentOnce()
        {
            final Map<String, Set<String>> doubled = new TreeMap<>();
            ids.forEach((text, messageIds) ->
            {
                if (messageIds.size() > 1)
                {
                    doubled.put(text, messageIds);
                }
            });
            assertEquals(Map.of(), doubled, "orders whose confirmation was sent more than once");
        }

        @Override
        public void run()
        {
            while (!stopped)
            {
                try (Connection connection = new MeshConnectionFactory(url).createConnection())
                {
                    final Session session = connection.createSession();
                    final MessageConsumer consumer = session.createConsumer(session.createQueue("confirmations"));
                    connection.start();
                    while (!stopped)
                    {
                        final Message message = consumer.receive(200);
                        if (message != null)
                        {
                            final String text = ((TextMessage)message).getText();
                            if (ids.computeIfAbsent(text, t -> ConcurrentHashMap.newKeySet())
                                .add(message.getJMSMessageID()))
                            {
                                deliveries.computeIfAbsent(text, t -> new ArrayList<>())
                                    .add(message.getIntProperty("delivery"));
                            }
                        }
                    }
                }
                catch (final JMSException brokerAway)
                {
                    try
                    {
                        Thread.sleep(100);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            }
        }
    }
}
