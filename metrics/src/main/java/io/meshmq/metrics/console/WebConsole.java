package io.meshmq.metrics.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.security.Authorizer;
import io.meshmq.metrics.AdminCalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The web console at {@code http://BIND/} ({@code console.bind}, off by default): log in with a broker user who holds
 * {@code manage}, see the cluster's topology, queues and topics with their counts, rates and the last minutes'
 * charts, browse a queue's messages, purge or delete a queue after confirming. Served by the JDK's HTTP server on two
 * threads of its own; the counts for the charts are sampled every {@value #SAMPLE_MS} ms on a timer thread.
 */
public final class WebConsole implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(WebConsole.class.getName());
    static final long SAMPLE_MS = 2_000;
    static final String COOKIE = "meshmq-console";
    private static final int MAX_FORM_BYTES = 16 * 1024;

    private final HttpServer server;
    private final ExecutorService threads;
    private final ScheduledExecutorService timer;
    private final RateHistory history;

    private WebConsole(final HttpServer server, final ExecutorService threads, final ScheduledExecutorService timer,
        final RateHistory history)
    {
        this.server = server;
        this.threads = threads;
        this.timer = timer;
        this.history = history;
    }

    /**
     * Starts serving the console for the broker.
     *
     * @throws UncheckedIOException naming {@code console.bind} if it cannot listen there.
     */
    public static WebConsole start(final Broker broker, final BrokerContext context)
    {
        final String bind = context.consoleBind();
        final int colon = bind.lastIndexOf(':');
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(bind.substring(0, colon),
                Integer.parseInt(bind.substring(colon + 1))), 50);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("console.bind = " + bind + ": cannot listen there: " + ex.getMessage(), ex);
        }
        final AdminCalls admin = new AdminCalls(broker);
        final RateHistory history = new RateHistory(admin);
        final ConsoleSessions sessions = new ConsoleSessions(context.users(),
            new Authorizer(context.users(), context.security()), System::currentTimeMillis);
        final ConsolePages pages = new ConsolePages(broker, admin, history, sessions);
        final ExecutorService threads = Executors.newFixedThreadPool(2, named("meshmq-console-" + broker.name()));
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            named("meshmq-console-rates-" + broker.name()));
        server.setExecutor(threads);
        server.createContext("/", exchange -> serve(pages, exchange));
        server.start();
        final WebConsole console = new WebConsole(server, threads, timer, history);
        timer.scheduleWithFixedDelay(console::sample, 0, SAMPLE_MS, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "web console at " + console.url());
        return console;
    }

    private void sample()
    {
        try
        {
            history.sample(System.currentTimeMillis());
        }
        catch (final RuntimeException ex)
        {
            // a periodic task that throws is never run again: log and go on
            LOG.log(System.Logger.Level.WARNING, "console: cannot sample the queues' counts: " + ex.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory named(final String prefix)
    {
        final AtomicInteger count = new AtomicInteger();
        return runnable ->
        {
            final Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void serve(final ConsolePages pages, final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final ConsolePages.Answer answer;
            try
            {
                answer = pages.answer(new ConsolePages.Request(exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), parse(exchange.getRequestURI().getRawQuery()),
                    "POST".equals(exchange.getRequestMethod()) ? parse(readForm(exchange.getRequestBody())) : Map.of(),
                    cookie(exchange.getRequestHeaders().getFirst("Cookie")),
                    exchange.getRemoteAddress().getAddress().getHostAddress()));
            }
            catch (final IllegalArgumentException badRequest)
            {
                send(exchange, ConsolePages.Answer.text(400, badRequest.getMessage()));
                return;
            }
            catch (final RuntimeException failed)
            {
                LOG.log(System.Logger.Level.WARNING, "console: " + exchange.getRequestURI().getPath() + " failed: " +
                    failed);
                send(exchange, ConsolePages.Answer.text(500, "the console could not answer: " + failed.getMessage()));
                return;
            }
            send(exchange, answer);
        }
    }

    private static void send(final HttpExchange exchange, final ConsolePages.Answer answer) throws IOException
    {
        final var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", answer.contentType());
        headers.set("Cache-Control", "no-store");
        headers.set("X-Frame-Options", "DENY");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:");
        if (answer.location() != null)
        {
            headers.set("Location", answer.location());
        }
        if (answer.setCookie() != null)
        {
            headers.set("Set-Cookie", COOKIE + "=" + answer.setCookie() + "; Path=/; HttpOnly; SameSite=Strict" +
                (answer.setCookie().isEmpty() ? "; Max-Age=0" : ""));
        }
        final byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    private static String readForm(final InputStream in) throws IOException
    {
        final byte[] bytes = in.readNBytes(MAX_FORM_BYTES + 1);
        if (bytes.length > MAX_FORM_BYTES)
        {
            throw new IllegalArgumentException("a console form is at most " + MAX_FORM_BYTES + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static Map<String, String> parse(final String encoded)
    {
        final Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty())
        {
            return values;
        }
        for (final String pair : encoded.split("&"))
        {
            final int equals = pair.indexOf('=');
            final String key = equals < 0 ? pair : pair.substring(0, equals);
            final String value = equals < 0 ? "" : pair.substring(equals + 1);
            values.put(URLDecoder.decode(key, StandardCharsets.UTF_8),
                URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String cookie(final String header)
    {
        if (header == null)
        {
            return null;
        }
        for (final String part : header.split(";"))
        {
            final String trimmed = part.trim();
            if (trimmed.startsWith(COOKIE + "="))
            {
                return trimmed.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    /**
     * @return where the console is served, e.g. http://127.0.0.1:8161/.
     */
    public String url()
    {
        final InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort() + "/";
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
        server.stop(0);
        threads.shutdownNow();
    }
}
