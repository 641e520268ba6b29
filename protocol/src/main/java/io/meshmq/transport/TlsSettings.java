package io.meshmq.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for a connection, client or server side, behind Netty's {@link SslHandler}: a key store
 * (this side's certificate; a server needs one, a client only for mutual TLS) and a trust store (whose certificates
 * this side accepts from the other; none: the JVM's default trust). Stores are PKCS12 or JKS (the type follows a
 * {@code .jks} name unless given). A password given as {@code env:NAME} is read from that environment variable, so
 * configuration files and URLs need not hold it.
 * <p>
 * The provider is the JDK's unless OpenSSL is asked for ({@link #provider}): BoringSSL from
 * {@code netty-tcnative-boringssl-static}, which the broker ships with and a client adds to its class path.
 *
 * @param clientAuth on a server: whether clients must present a certificate its trust store accepts (NONE, OPTIONAL
 *                   or REQUIRE).
 * @param verifyHost on a client: whether the server's certificate must name the host connected to.
 */
public record TlsSettings(String keyStore, String keyStorePassword, String keyStoreType, String trustStore,
    String trustStorePassword, String trustStoreType, ClientAuth clientAuth, boolean verifyHost, SslProvider provider)
{
    public static final String ENVIRONMENT_PREFIX = "env:";

    /**
     * Settings with the JDK's provider.
     */
    public TlsSettings(final String keyStore, final String keyStorePassword, final String keyStoreType,
        final String trustStore, final String trustStorePassword, final String trustStoreType, final ClientAuth clientAuth,
        final boolean verifyHost)
    {
        this(keyStore, keyStorePassword, keyStoreType, trustStore, trustStorePassword, trustStoreType, clientAuth,
            verifyHost, SslProvider.JDK);
    }

    /**
     * @param name   what the setting is called where the user wrote it, for the error.
     * @param value  JDK or OPENSSL, in any case.
     * @return the provider named.
     * @throws IllegalArgumentException for another name, or OPENSSL where netty-tcnative cannot be loaded (saying why).
     */
    public static SslProvider provider(final String value, final String name)
    {
        switch (value.toUpperCase(Locale.ROOT))
        {
            case "JDK":
                return SslProvider.JDK;
            case "OPENSSL":
                if (!OpenSsl.isAvailable())
                {
                    throw new IllegalArgumentException(name + " = " + value + " needs netty-tcnative-boringssl-static " +
                        "on the class path for this platform: " + OpenSsl.unavailabilityCause());
                }
                return SslProvider.OPENSSL;
            default:
                throw new IllegalArgumentException(name + " = " + value + ": expected JDK or OPENSSL");
        }
    }

    /**
     * @return these settings with another provider.
     */
    public TlsSettings withProvider(final SslProvider other)
    {
        return new TlsSettings(keyStore, keyStorePassword, keyStoreType, trustStore, trustStorePassword, trustStoreType,
            clientAuth, verifyHost, other);
    }

    /**
     * @return the settings a client uses when it is told nothing: the JVM's trust, the host name checked.
     */
    public static TlsSettings clientDefaults()
    {
        return new TlsSettings(null, null, null, null, null, null, ClientAuth.NONE, true);
    }

    /**
     * @param name what the setting is called where the user wrote it, for the error.
     * @return the password, or the environment variable it names.
     * @throws IllegalArgumentException if it names a variable that is not set.
     */
    public static String password(final String value, final String name, final UnaryOperator<String> environment)
    {
        if (value == null || !value.startsWith(ENVIRONMENT_PREFIX))
        {
            return value;
        }
        final String variable = value.substring(ENVIRONMENT_PREFIX.length());
        final String found = environment.apply(variable);
        if (found == null)
        {
            throw new IllegalArgumentException(name + " names environment variable " + variable + ", which is not set");
        }
        return found;
    }

    /**
     * @throws IllegalArgumentException naming the store that cannot be read, and why.
     */
    public SslContext serverContext()
    {
        if (keyStore == null)
        {
            throw new IllegalArgumentException("TLS needs a key store with this broker's certificate (tls.keystore)");
        }
        try
        {
            return SslContextBuilder.forServer(keyManagers()).trustManager(trustManagers()).clientAuth(clientAuth)
                .sslProvider(provider).build();
        }
        catch (final IOException | GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("TLS cannot be set up: " + ex.getMessage(), ex);
        }
    }

    /**
     * @throws IllegalArgumentException naming the store that cannot be read, and why.
     */
    public SslContext clientContext()
    {
        try
        {
            final SslContextBuilder builder = SslContextBuilder.forClient().trustManager(trustManagers())
                .sslProvider(provider);
            if (keyStore != null)
            {
                builder.keyManager(keyManagers());
            }
            return builder.build();
        }
        catch (final IOException | GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("TLS cannot be set up: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the handler a client puts first in its pipeline, checking the host name if asked to.
     */
    public SslHandler clientHandler(final SslContext context, final ByteBufAllocator alloc, final String host,
        final int port)
    {
        final SslHandler handler = context.newHandler(alloc, host, port);
        if (verifyHost)
        {
            final SSLEngine engine = handler.engine();
            final SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /**
     * @return the key manager of this side's certificate, for a library that takes one (the quorum's gRPC).
     * @throws IllegalArgumentException naming the store that cannot be read, and why, or that there is none.
     */
    public javax.net.ssl.KeyManager keyManager()
    {
        if (keyStore == null)
        {
            throw new IllegalArgumentException("TLS needs a key store with this node's certificate (tls.keystore)");
        }
        try
        {
            return keyManagers().getKeyManagers()[0];
        }
        catch (final IOException | GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("TLS cannot be set up: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the trust manager of the trust store (the JVM's default trust without one).
     * @throws IllegalArgumentException naming the store that cannot be read, and why.
     */
    public javax.net.ssl.TrustManager trustManager()
    {
        try
        {
            return trustManagers().getTrustManagers()[0];
        }
        catch (final IOException | GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("TLS cannot be set up: " + ex.getMessage(), ex);
        }
    }

    private KeyManagerFactory keyManagers() throws IOException, GeneralSecurityException
    {
        final char[] password = keyStorePassword == null ? new char[0] : keyStorePassword.toCharArray();
        final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(load(keyStore, password, keyStoreType, "key store"), password);
        return factory;
    }

    private TrustManagerFactory trustManagers() throws IOException, GeneralSecurityException
    {
        final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore == null ? null : load(trustStore,
            trustStorePassword == null ? null : trustStorePassword.toCharArray(), trustStoreType, "trust store"));
        return factory;
    }

    private static KeyStore load(final String path, final char[] password, final String type, final String what)
        throws IOException, GeneralSecurityException
    {
        final String storeType = type != null ? type :
            path.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
        final KeyStore store = KeyStore.getInstance(storeType);
        try (InputStream in = Files.newInputStream(Path.of(path)))
        {
            store.load(in, password);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException(what + " " + path + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new IOException(what + " " + path + " cannot be read as " + storeType + " (wrong password or type?): " +
                ex.getMessage(), ex);
        }
        return store;
    }
}
