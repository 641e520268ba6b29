package io.meshmq.tck.management;

import io.meshmq.engine.security.PasswordHash;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.JMSContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web console (issue 22) in a real headless browser: Debian's Chromium, driven by Selenium through Debian's
 * ChromeDriver (both installed by {@code .ci/run}; a machine without them fails this test, it does not skip it).
 * Three nodes of a cluster with security on; an operator logs in to n1's console, sees the three nodes linked, sees a
 * queue's count, purges it after confirming and sees the count drop. A user without {@code manage} and a wrong
 * password are refused. The topology page's screenshot is left in {@code target/web-console-topology.png}. A port
 * already taken stops the start-up naming {@code console.bind}.
 */
class WebConsoleInChromiumTest
{
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final long DEADLINE_MS = 60_000;
    private static final String CLUSTER_PASSWORD = "mesh-secret";

    @TempDir
    Path dir;
    private final List<BrokerProcess> nodes = new ArrayList<>();
    private WebDriver browser;

    @AfterEach
    void stop() throws InterruptedException
    {
        if (browser != null)
        {
            browser.quit();
        }
        for (final BrokerProcess node : nodes)
        {
            node.close();
        }
    }

    @Test
    void shouldLogInSeeTheClusterAndPurgeAQueue() throws Exception
    {
        final int consolePort = FreePorts.next();
        final int[] ports = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
        final String members = java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p)
            .collect(Collectors.joining(","));
        for (int i = 0; i < ports.length; i++)
        {
            final List<String> settings = new ArrayList<>(List.of("cluster = console", "cluster.members = " + members,
                "user.mesh = " + PasswordHash.hash(CLUSTER_PASSWORD), "user.mesh.roles = cluster",
                "cluster.user = mesh", "cluster.password = " + CLUSTER_PASSWORD,
                "user.ops = " + PasswordHash.hash("ops-secret"), "user.ops.roles = admin",
                "user.app = " + PasswordHash.hash("app-secret"), "user.app.roles = app"));
            if (i == 0)
            {
                settings.add("console.bind = 127.0.0.1:" + consolePort);
            }
            nodes.add(BrokerProcess.startNode(dir.resolve("n" + (i + 1)), "n" + (i + 1), ports[i],
                settings.toArray(new String[0])));
        }
        final String console = "http://127.0.0.1:" + consolePort;
        assertTrue(nodes.get(0).recentOutput().contains("web console at " + console + "/"),
            nodes.get(0).recentOutput());
        try (JMSContext context = new MeshConnectionFactory(nodes.get(0).url() + "?user=app&password=app-secret")
            .createContext())
        {
            for (int i = 0; i < 25; i++)
            {
                context.createProducer().send(context.createQueue("console-orders"), "order " + i);
            }
        }

        browser = chromium();
        browser.get(console + "/queues");
        assertTrue(browser.getCurrentUrl().endsWith("/login"), "not logged in: sent to the login page");
        logIn("ops", "wrong");
        awaitText(By.id("error"), text -> text.contains("Not logged in"), "a wrong password refused");
        logIn("app", "app-secret");
        awaitText(By.id("error"), text -> text.contains("lacks permission 'manage'"), "a user without manage refused");
        logIn("ops", "ops-secret");
        await(() -> !browser.getCurrentUrl().endsWith("/login"), () -> "logged in: " + browser.getPageSource());

        // the topology: three nodes, n1 linked to the other two
        await(() ->
        {
            browser.navigate().refresh();
            return browser.findElements(By.cssSelector("#topology g.node")).size() == 3 &&
                browser.findElements(By.cssSelector("#topology g.link")).size() == 2 &&
                browser.findElements(By.xpath(
                    "//*[local-name()='g'][@class='node']/*[local-name()='text'][.='linked']")).size() == 2;
        }, () -> "three linked nodes on the topology page: " + browser.getPageSource());
        final byte[] screenshot = ((TakesScreenshot)browser).getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", "web-console-topology.png"), screenshot);
        assertTrue(screenshot.length > 1000, "a screenshot of the topology page");
        final List<String> names = browser.findElements(By.cssSelector("#topology g.node")).stream()
            .map(node -> node.getAttribute("data-node")).sorted().toList();
        assertEquals(List.of("n1", "n2", "n3"), names);

        // the queue and its count; purge after confirming; the count drops
        final By count = By.cssSelector("tr[data-queue='console-orders'] td.messages");
        final By purge = By.cssSelector("tr[data-queue='console-orders'] a.purge");
        click(By.id("nav-queues"));
        awaitText(count, "25"::equals, "the queue's 25 messages");
        click(purge);
        awaitText(By.id("question"), text -> text.contains("Drop all 25 messages waiting in queue 'console-orders'"),
            "the purge's confirmation page");
        click(By.id("cancel"));
        awaitText(count, "25"::equals, "cancel purging nothing");
        click(purge);
        click(By.id("confirm"));
        awaitText(By.id("note"), text -> text.contains("Purged queue 'console-orders': 25 messages dropped"),
            "the purge's result");
        awaitText(count, "0"::equals, "the queue empty");
        try (JMSContext context = new MeshConnectionFactory(nodes.get(0).url() + "?user=app&password=app-secret")
            .createContext())
        {
            assertEquals(null, context.createConsumer(context.createQueue("console-orders")).receiveNoWait(),
                "the purged messages are gone from the broker");
        }

        click(By.id("logout"));
        await(() -> browser.getCurrentUrl().endsWith("/login"), () -> "logged out: " + browser.getPageSource());
        browser.get(console + "/queues");
        assertTrue(browser.getCurrentUrl().endsWith("/login"), "logged out: sent to the login page again");
    }

    @Test
    void shouldRefuseToStartOnAPortAlreadyTaken() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final String output = BrokerProcess.startExpectingFailure(dir,
                "console.bind = 127.0.0.1:" + taken.getLocalPort());
            assertTrue(output.contains("console.bind = 127.0.0.1:" + taken.getLocalPort() + ": cannot listen there"),
                output);
        }
    }

    private void logIn(final String user, final String password) throws InterruptedException
    {
        element(By.id("user")).clear();
        element(By.id("user")).sendKeys(user);
        element(By.id("password")).sendKeys(password);
        click(By.id("login"));
    }

    /**
     * Clicks an element once the page shows it: a click that loads another page may return before that page is
     * there, so what comes next is waited for, never assumed.
     */
    private void click(final By by) throws InterruptedException
    {
        element(by).click();
    }

    private WebElement element(final By by) throws InterruptedException
    {
        final List<WebElement> found = new ArrayList<>();
        await(() ->
        {
            found.clear();
            found.addAll(browser.findElements(by));
            return !found.isEmpty();
        }, () -> by + " on the page: " + browser.getPageSource());
        return found.get(0);
    }

    /**
     * Waits until the page shows an element whose text is what is wanted (the previous page may still be there).
     */
    private void awaitText(final By by, final Predicate<String> wanted, final String what) throws InterruptedException
    {
        await(() ->
        {
            try
            {
                final List<WebElement> found = browser.findElements(by);
                return !found.isEmpty() && wanted.test(found.get(0).getText().trim());
            }
            catch (final StaleElementReferenceException replaced)
            {
                return false; // the page changed under us: look again
            }
        }, () -> what + ": " + browser.getPageSource());
    }

    private static WebDriver chromium()
    {
        if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute())
        {
            fail("this test needs Debian's Chromium and ChromeDriver (apt-get install chromium chromium-driver; " +
                ".ci/run installs them): " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
        }
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // The machine's network is closed: Chromium's own background traffic would only fail, many times over.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--window-size=1200,900");
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void await(final BooleanSupplier condition, final Supplier<String> message)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail(message.get());
            }
            Thread.sleep(250);
        }
    }
}
