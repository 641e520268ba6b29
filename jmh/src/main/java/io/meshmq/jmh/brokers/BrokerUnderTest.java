package io.meshmq.jmh.brokers;

import jakarta.jms.ConnectionFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A broker the end-to-end benchmarks run against, in a process of its own with the same JVM settings for
 * both: MeshMQ through its launcher's main class, or Artemis through {@link ArtemisMain}. Each gets a fresh data
 * directory, deleted when it stops.
 */
public final class BrokerUnderTest implements AutoCloseable
{
    /** The low-latency mode as measured: the processor yields instead of sleeping, receive() spins this long first. */
    public static final String LOW_LATENCY_WAIT = "yield";
    public static final int LOW_LATENCY_SPIN_MICROS = 200;
    /** The heap both brokers get, so neither wins by memory. */
    public static final String HEAP = "-Xmx1g";
    private static final Pattern LISTENING = Pattern.compile("listening on ((?:tcp|tls)://[0-9.]+:[0-9]+)");
    /** Password of the key and trust stores made for the TLS kinds. */
    private static final String STORE_PASSWORD = "bench-pass";

    private final String kind;
    private final Process process;
    private final Path data;
    private final String url;
    /** The backup of a "meshmq-replicated" broker, or null. */
    private Process backup;

    private BrokerUnderTest(final String kind, final Process process, final Path data, final String url)
    {
        this.kind = kind;
        this.process = process;
        this.data = data;
        this.url = url;
    }

    /**
     * @param kind "meshmq" (or "meshmq-no-dup-ids": duplicate detection off, for an A/B of its cost), or "artemis"
     *             (or "artemis-tuned": its journal buffer timeout set for this disk); "meshmq-tls", "artemis-tls" over
     *             TLS with the JDK's provider, "meshmq-tls-openssl", "artemis-tls-openssl" with OpenSSL;
     *             "meshmq-replicated" with a backup process in sync (every confirmation waits for it too);
     *             "artemis-replicated": Artemis's own live/backup pair with its replication, backup in sync.
     */
    public static BrokerUnderTest start(final String kind) throws IOException, InterruptedException
    {
        return start(kind, "bench", 0, List.of());
    }

    /**
     * Starts a MeshMQ node of a cluster: {@code settings} are configuration lines ({@code cluster = ...}, its members).
     *
     * @param port where it listens; 0 for any free port.
     */
    public static BrokerUnderTest startMember(final String name, final int port, final List<String> settings)
        throws IOException, InterruptedException
    {
        return start("meshmq", name, port, settings);
    }

    /**
     * Starts an Apache ActiveMQ Artemis node of a cluster whose other nodes listen on {@code others}, on this machine.
     */
    public static BrokerUnderTest startArtemisMember(final int port, final List<Integer> others)
        throws IOException, InterruptedException
    {
        return start("artemis-cluster", "bench", port, others.stream().map(String::valueOf).toList());
    }

    private static BrokerUnderTest start(final String kind, final String name, final int port,
        final List<String> settings) throws IOException, InterruptedException
    {
        final Path data = Files.createTempDirectory("meshmq-bench-" + kind + "-");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, HEAP, "-XX:+UseG1GC"));
        // For profiling the broker, say -Dmeshmq.bench.brokerJvmArgs="-XX:StartFlightRecording=filename=b.jfr".
        final String extra = System.getProperty("meshmq.bench.brokerJvmArgs", "").trim();
        if (!extra.isEmpty())
        {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        int artemisBackupPort = 0;
        switch (kind)
        {
            case "meshmq":
            case "meshmq-no-dup-ids":
            case "meshmq-tls":
            case "meshmq-tls-openssl":
            case "meshmq-replicated":
            case "meshmq-low-latency":
            {
                final Path config = data.resolveSibling(data.getFileName() + ".conf");
                Files.writeString(config, "vm-id = none\n" +
                    (kind.equals("meshmq-replicated") ? "cluster = bench\n" : "") +
                    (kind.equals("meshmq-no-dup-ids") ? "duplicate-id-cache-size = 0\n" : "") +
                    (kind.equals("meshmq-low-latency") ? "processor.wait = " + LOW_LATENCY_WAIT + "\n" : "") +
                    (isTls(kind) ? "tls = true\ntls.keystore = " + makeStores(data) + "\ntls.keystore-password = " +
                        STORE_PASSWORD + "\ntls.provider = " + provider(kind) + "\n" : "") +
                    String.join("\n", settings) + "\n" +
                    // For experiments: -Dmeshmq.bench.brokerSettings="key = value;key = value" adds config lines.
                    System.getProperty("meshmq.bench.brokerSettings", "").replace(';', '\n') + "\n");
                command.addAll(List.of("io.meshmq.broker.Main", "run", "--config", config.toString(), "--name", name,
                    "--bind", "127.0.0.1:" + port, "--data", data.toString()));
                break;
            }
            case "artemis-cluster":
                command.addAll(List.of(ArtemisClusterMain.class.getName(), data.toString(), String.valueOf(port)));
                command.addAll(settings);
                break;
            case "artemis-replicated":
                artemisBackupPort = freePort();
                command.addAll(List.of(ArtemisReplicatedMain.class.getName(), "live", data.resolve("live").toString(),
                    String.valueOf(freePort()), String.valueOf(artemisBackupPort)));
                break;
            case "artemis":
            case "artemis-tuned":
            case "artemis-tls":
            case "artemis-tls-openssl":
                command.addAll(List.of(ArtemisMain.class.getName(), data.toString(), String.valueOf(freePort())));
                if (kind.equals("artemis-tuned"))
                {
                    // One fsync of 4 KiB takes about 100 µs here: wait no longer than that for more records.
                    command.add("100000");
                }
                if (isTls(kind))
                {
                    command.addAll(List.of("0", makeStores(data).toString(), STORE_PASSWORD, provider(kind)));
                }
                break;
            default:
                throw new IllegalArgumentException("unknown broker kind '" + kind + "'");
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<String> listening = new CompletableFuture<>();
        final List<String> output = new ArrayList<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    synchronized (output)
                    {
                        if (output.size() < 200)
                        {
                            output.add(line);
                        }
                    }
                    final Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find())
                    {
                        listening.complete(matcher.group(1));
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
            listening.complete(null);
        }, kind + "-output");
        reader.setDaemon(true);
        reader.start();
        String url = null;
        try
        {
            url = listening.get(60, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            url = null;
        }
        if (url == null)
        {
            process.destroyForcibly().waitFor();
            synchronized (output)
            {
                throw new IllegalStateException(kind + " did not start: " + String.join("\n", output));
            }
        }
        final BrokerUnderTest broker = new BrokerUnderTest(kind, process, data, url);
        if (kind.equals("meshmq-replicated"))
        {
            broker.startBackup(command.subList(0, command.indexOf("-cp") + 2));
        }
        else if (kind.equals("artemis-replicated"))
        {
            broker.startArtemisBackup(command.subList(0, command.indexOf("-cp") + 2), artemisBackupPort);
        }
        return broker;
    }

    /**
     * @return a port nothing listens on now, on the loopback address.
     */
    public static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * @return a JMS connection factory of the broker's own client (trusting the broker's certificate for the TLS
     * kinds).
     */
    public ConnectionFactory connectionFactory()
    {
        final Path trust = data.resolve("trust.p12");
        if (isTls(kind) && kind.startsWith("meshmq"))
        {
            return new io.meshmq.jms.MeshConnectionFactory(url + "?trustStore=" + trust + "&trustStorePassword=" +
                STORE_PASSWORD + "&sslProvider=" + provider(kind));
        }
        if (kind.equals("meshmq-low-latency"))
        {
            return new io.meshmq.jms.MeshConnectionFactory(url + "?receiveSpin=" + LOW_LATENCY_SPIN_MICROS);
        }
        if (kind.startsWith("meshmq"))
        {
            // For experiments: -Dmeshmq.bench.urlOptions="receiveSpin=50&consumerWindow=10" on the plain kind.
            final String options = System.getProperty("meshmq.bench.urlOptions", "").trim();
            return new io.meshmq.jms.MeshConnectionFactory(options.isEmpty() ? url : url + "?" + options);
        }
        // Artemis's defaults, which match MeshMQ's: a persistent send waits for the broker, a non-persistent one
        // does not.
        return new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(isTls(kind) ?
            url + "?sslEnabled=true&trustStorePath=" + trust + "&trustStorePassword=" + STORE_PASSWORD + "&sslProvider=" +
                provider(kind) : url);
    }

    /**
     * @return whether the kind speaks TLS: its name has "-tls", and "-openssl" after it for OpenSSL (BoringSSL) on
     * both ends instead of the JDK's provider.
     */
    private static boolean isTls(final String kind)
    {
        return kind.contains("-tls");
    }

    private static String provider(final String kind)
    {
        return kind.endsWith("-openssl") ? "OPENSSL" : "JDK";
    }

    /**
     * Makes, with the JDK's keytool, a self-signed certificate for 127.0.0.1 (broker.p12) and a trust store holding
     * it (trust.p12) in the data directory.
     *
     * @return the key store.
     */
    private static Path makeStores(final Path data) throws IOException, InterruptedException
    {
        final String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        final List<List<String>> steps = List.of(
            List.of("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", "broker.p12"),
            List.of("-exportcert", "-alias", "broker", "-keystore", "broker.p12", "-rfc", "-file", "broker.pem"),
            List.of("-importcert", "-noprompt", "-alias", "broker", "-file", "broker.pem", "-keystore", "trust.p12"));
        for (final List<String> step : steps)
        {
            final List<String> command = new ArrayList<>(List.of(keytool));
            command.addAll(step);
            command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD));
            final Process process = new ProcessBuilder(command).directory(data.toFile()).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0)
            {
                throw new IOException("keytool " + step + " failed: " + output);
            }
        }
        return data.resolve("broker.p12");
    }

    /**
     * Starts a backup of this broker (a process of its own, with a data directory beside this one) and waits until
     * it is in sync: from then on every confirmation waits for it.
     *
     * @param java the java command and options up to and including the class path.
     */
    private void startBackup(final List<String> java) throws IOException, InterruptedException
    {
        final Path backupData = data.resolve("backup");
        final Path config = data.resolve("backup.conf");
        Files.writeString(config, "vm-id = none\ncluster = bench\nha.role = backup\nha.live = " +
            url.substring(url.lastIndexOf('/') + 1) + "\n");
        final List<String> command = new ArrayList<>(java);
        command.addAll(List.of("io.meshmq.broker.Main", "run", "--config", config.toString(), "--name", "bench-backup",
            "--data", backupData.toString()));
        backup = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(data.resolve("backup.log").toFile())
            .start();
        final Path synced = backupData.resolve("replica").resolve("replica.synced");
        final long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(synced))
        {
            if (System.currentTimeMillis() > deadline || !backup.isAlive())
            {
                throw new IllegalStateException("the backup did not get in sync within 60 s: " +
                    Files.readString(data.resolve("backup.log")));
            }
            Thread.sleep(20);
        }
    }

    /**
     * Starts the backup of an Artemis replicated pair (its own replication) and waits until it is in sync.
     */
    private void startArtemisBackup(final List<String> java, final int backupPort) throws IOException,
        InterruptedException
    {
        final List<String> command = new ArrayList<>(java);
        command.addAll(List.of(ArtemisReplicatedMain.class.getName(), "backup", data.resolve("backup").toString(),
            String.valueOf(backupPort), url.substring(url.lastIndexOf(':') + 1)));
        final Path log = data.resolve("backup.log");
        backup = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.currentTimeMillis() + 90_000;
        while (!Files.readString(log).contains("backup in sync"))
        {
            if (System.currentTimeMillis() > deadline || !backup.isAlive())
            {
                throw new IllegalStateException("the Artemis backup did not get in sync within 90 s: " +
                    Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    public String kind()
    {
        return kind;
    }

    public long pid()
    {
        return process.pid();
    }

    /**
     * @return the broker process's resident memory (VmRSS), in KiB; -1 if the system does not say.
     */
    public long residentKb() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * @return where clients connect, e.g. {@code tcp://127.0.0.1:7918}.
     */
    public String url()
    {
        return url;
    }

    @Override
    public void close() throws InterruptedException
    {
        if (backup != null)
        {
            backup.destroyForcibly().waitFor();
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(data))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        data.resolveSibling(data.getFileName() + ".conf").toFile().delete();
    }
}
