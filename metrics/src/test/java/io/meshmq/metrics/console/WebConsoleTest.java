package io.meshmq.metrics.console;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.security.Authorizer;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.engine.security.Permission;
import io.meshmq.engine.security.SecuritySettings;
import io.meshmq.engine.security.UserStore;
import io.meshmq.protocol.AdminVerbs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's HTTP answers against an embedded broker with security on: logging in, the form token every change
 * must carry, escaping of what the broker holds, purge and delete; and sessions that end when idle. The pages in a
 * real browser, on a real cluster, are the conformance harness's WebConsoleInChromiumTest.
 */
class WebConsoleTest
{
    @TempDir
    Path dir;
    private Broker broker;
    private WebConsole console;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception
    {
        final BrokerContext context = new BrokerContext().port(0).dataDir(dir).ioThreads(1)
            .vmId("console-" + UUID.randomUUID()).consoleBind("127.0.0.1:0");
        context.users().addUser("ops", PasswordHash.hash("ops-secret")).roles("ops", Set.of("admin"))
            .addUser("app", PasswordHash.hash("app-secret")).roles("app", Set.of("app"));
        // admin may do everything, but queue 'kept' may not be deleted by anyone
        for (final Permission permission : Permission.values())
        {
            context.security().grant("*", permission, Set.of("admin"));
            context.security().grant("kept", permission, Set.of("admin"));
        }
        context.security().grant("kept", Permission.DELETE_DURABLE_QUEUE, Set.of("nobody"));
        broker = Broker.start(context);
        console = WebConsole.start(broker, context);
    }

    @AfterEach
    void stop()
    {
        console.close();
        broker.close();
    }

    @Test
    void shouldLetInOnlyUsersWhoMayManage() throws Exception
    {
        final HttpResponse<String> anonymous = get("/queues", null);
        assertEquals(303, anonymous.statusCode());
        assertEquals("/login", anonymous.headers().firstValue("Location").orElseThrow());
        assertEquals(401, post("/login", null, "user=ops&password=wrong").statusCode());
        final HttpResponse<String> app = post("/login", null, "user=app&password=app-secret");
        assertEquals(401, app.statusCode());
        assertTrue(app.body().contains("lacks permission &#39;manage&#39;"), app.body());
        final String cookie = logIn();
        assertEquals(200, get("/queues", cookie).statusCode());
        assertEquals(200, get("/", cookie).statusCode());
        assertEquals(404, get("/nothing-here", cookie).statusCode());
        assertEquals(400, post("/login", null, "user=%zz").statusCode(), "a malformed form is refused, not a 500");
    }

    @Test
    void shouldPurgeAndDeleteOnlyWithTheSessionsFormToken() throws Exception
    {
        broker.admin(AdminVerbs.QUEUE_CREATE, "doomed").get(10, TimeUnit.SECONDS);
        final String cookie = logIn();
        final String confirm = get("/confirm?action=purge&queue=doomed", cookie).body();
        final String token = token(confirm);
        assertEquals(403, post("/queues/purge", cookie, "queue=doomed").statusCode(), "no form token");
        assertEquals(403, post("/queues/purge", cookie, "queue=doomed&token=forged").statusCode(), "a forged one");
        assertEquals(303, post("/queues/purge", cookie, "queue=doomed&token=" + token).statusCode());
        assertTrue(get("/queues", cookie).body().contains("Purged queue &#39;doomed&#39;: 0 messages dropped"));
        assertEquals(303, post("/queues/delete", cookie, "queue=doomed&token=" + token).statusCode());
        final String after = get("/queues", cookie).body();
        assertTrue(after.contains("Deleted queue &#39;doomed&#39;"), after);
        assertFalse(after.contains("data-queue=\"doomed\""), after);
        assertEquals(404, get("/confirm?action=purge&queue=doomed", cookie).statusCode());

        broker.admin(AdminVerbs.QUEUE_CREATE, "kept").get(10, TimeUnit.SECONDS);
        assertEquals(303, post("/queues/delete", cookie, "queue=kept&token=" + token).statusCode());
        final String refused = get("/queues", cookie).body();
        assertTrue(refused.contains("Not deleted: user &#39;ops&#39; lacks permission &#39;deleteDurableQueue&#39; " +
            "on address &#39;kept&#39;"), refused);
        assertTrue(refused.contains("data-queue=\"kept\""), "the queue is still there");
        assertEquals(405, get("/queues/purge?queue=doomed", cookie).statusCode(), "no change by GET");
    }

    @Test
    void shouldEscapeWhatTheBrokerHolds() throws Exception
    {
        broker.admin(AdminVerbs.QUEUE_CREATE, "<script>alert(1)</script>").get(10, TimeUnit.SECONDS);
        final String page = get("/queues", logIn()).body();
        assertFalse(page.contains("<script>alert(1)"), page);
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
    }

    @Test
    void shouldEndASessionAfterLogoutOrWhenIdle() throws Exception
    {
        final String cookie = logIn();
        final String token = token(get("/queues", cookie).body());
        assertEquals(303, post("/logout", cookie, "token=" + token).statusCode());
        assertEquals(303, get("/queues", cookie).statusCode(), "logged out");

        final long[] nowMs = {0};
        final UserStore users = new UserStore().addUser("ops", PasswordHash.hash("pw")).roles("ops", Set.of("admin"));
        final ConsoleSessions sessions = new ConsoleSessions(users, new Authorizer(users, new SecuritySettings()),
            () -> nowMs[0]);
        final ConsoleSessions.Session session = sessions.login("ops", "pw", "127.0.0.1");
        nowMs[0] += ConsoleSessions.IDLE_MS;
        assertNotNull(sessions.find(session.token()), "used just in time");
        nowMs[0] += ConsoleSessions.IDLE_MS + 1;
        assertNull(sessions.find(session.token()), "idle too long");
        assertThrows(SecurityException.class, () -> sessions.login("ops", "wrong", "127.0.0.1"));
    }

    @Test
    void shouldShareOneGuestSessionWhileSecurityIsOff()
    {
        final UserStore nobody = new UserStore();
        final ConsoleSessions sessions = new ConsoleSessions(nobody, new Authorizer(nobody,
            new SecuritySettings()), () -> Long.MAX_VALUE);
        assertFalse(sessions.isSecurityOn());
        final ConsoleSessions.Session guest = sessions.guest();
        assertEquals(guest, sessions.guest(), "one session, however many browsers come without a cookie");
        assertEquals(guest, sessions.find(guest.token()), "and it does not expire");
    }

    private String logIn() throws IOException, InterruptedException
    {
        final HttpResponse<String> response = post("/login", null, "user=ops&password=ops-secret");
        assertEquals(303, response.statusCode(), response.body());
        final String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static String token(final String page)
    {
        final Matcher matcher = Pattern.compile("name=\"token\" value=\"([^\"]+)\"").matcher(page);
        assertTrue(matcher.find(), page);
        return matcher.group(1);
    }

    private HttpResponse<String> get(final String path, final String cookie) throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(console.url() + path.substring(1)));
        if (cookie != null)
        {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(final String path, final String cookie, final String form)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(console.url() + path.substring(1)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null)
        {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
