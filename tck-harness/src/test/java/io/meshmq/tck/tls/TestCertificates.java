package io.meshmq.tck.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Key and trust stores for TLS tests, made with the JDK's keytool in a directory of the test's: a test CA, a broker
 * certificate for 127.0.0.1 and localhost, a client certificate (CN=app) signed by that CA, and a stranger's
 * self-signed one with the same subject. Every store is PKCS12 with password {@value #PASSWORD}.
 */
public final class TestCertificates
{
    public static final String PASSWORD = "changeit";
    public static final String CLIENT_SUBJECT = "CN=app,O=MeshMQ Test";

    public final Path trustStore;
    public final Path brokerStore;
    public final Path clientStore;
    public final Path strangerStore;
    private final Path dir;

    private TestCertificates(final Path dir)
    {
        this.dir = dir;
        this.trustStore = dir.resolve("trust.p12");
        this.brokerStore = dir.resolve("broker.p12");
        this.clientStore = dir.resolve("client.p12");
        this.strangerStore = dir.resolve("stranger.p12");
    }

    public static TestCertificates make(final Path dir) throws IOException, InterruptedException
    {
        final TestCertificates made = new TestCertificates(dir);
        made.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
            "CN=MeshMQ Test CA", "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
        made.keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.pem");
        made.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust.p12");
        made.signed("broker", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        made.signed("client", CLIENT_SUBJECT, null);
        made.keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
            CLIENT_SUBJECT, "-validity", "2", "-keystore", "stranger.p12");
        return made;
    }

    private void signed(final String name, final String subject, final String extension)
        throws IOException, InterruptedException
    {
        final String store = name + ".p12";
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
            "-validity", "2", "-keystore", store);
        keytool("-certreq", "-alias", name, "-keystore", store, "-file", name + ".csr");
        final List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile",
            name + ".csr", "-outfile", name + ".pem", "-rfc", "-validity", "2"));
        if (extension != null)
        {
            sign.addAll(List.of("-ext", extension));
        }
        keytool(sign.toArray(new String[0]));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", store);
        keytool("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", store);
    }

    private void keytool(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }

    /**
     * @return URL options for a client that trusts the test CA (and, given a key store, presents its certificate).
     */
    public String clientOptions(final Path keyStore)
    {
        return "trustStore=" + trustStore + "&trustStorePassword=" + PASSWORD +
            (keyStore == null ? "" : "&keyStore=" + keyStore + "&keyStorePassword=" + PASSWORD);
    }
}
