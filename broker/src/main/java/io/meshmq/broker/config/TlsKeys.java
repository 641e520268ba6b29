package io.meshmq.broker.config;

import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.net.Acceptor;
import io.meshmq.transport.TlsSettings;
import io.netty.handler.ssl.ClientAuth;

import java.util.List;
import java.util.Locale;

/**
 * The configuration keys of TLS and of the acceptors beside the default listener:
 * <pre>
 * tls.keystore          = broker.p12   this broker's certificate and key (PKCS12, or JKS for a .jks name)
 * tls.keystore-password = env:KS_PASS  a password, or env:NAME for an environment variable
 * tls.keystore-type     = PKCS12       when the name does not tell
 * tls.truststore        = ca.p12       certificates accepted from clients (mutual TLS) and from members (cluster.tls)
 * tls.truststore-password, tls.truststore-type
 * tls.client-auth       = need         none (default), want or need: whether clients present a certificate
 * tls.provider          = OPENSSL      JDK (default) or OPENSSL (BoringSSL, shipped with the broker), for every
 *                                      TLS acceptor and cluster link
 * tls                   = true         the default listener (bind) speaks TLS
 * acceptor.NAME.bind    = 0.0.0.0:7919 another listener
 * acceptor.NAME.tls     = true         ... speaking TLS
 * </pre>
 */
final class TlsKeys
{
    static final List<String> KEYS = List.of("tls", "tls.keystore", "tls.keystore-password", "tls.keystore-type",
        "tls.truststore", "tls.truststore-password", "tls.truststore-type", "tls.client-auth", "tls.provider",
        "acceptor.NAME.bind",
        "acceptor.NAME.tls");

    /** The store settings after "tls.", in the order of {@link TlsSettings}' components. */
    private static final List<String> STORE_SETTINGS = List.of("keystore", "keystore-password", "keystore-type",
        "truststore", "truststore-password", "truststore-type");

    private TlsKeys()
    {
    }

    /**
     * @return whether the key was one of these (and is applied).
     * @throws ConfigException naming the key and what is wrong with its value.
     */
    static boolean apply(final String key, final String value, final String at, final BrokerContext context)
        throws ConfigException
    {
        if ("tls".equals(key))
        {
            context.defaultAcceptorTls(BrokerSettings.bool(value, at));
            return true;
        }
        if (key.startsWith("tls."))
        {
            context.tls(with(context.tls(), key.substring(4), value, at));
            return true;
        }
        if (key.startsWith("acceptor.") && key.indexOf('.', 9) > 9)
        {
            acceptor(key.substring(9), value, at, context);
            return true;
        }
        return false;
    }

    private static TlsSettings with(final TlsSettings old, final String setting, final String value, final String at)
        throws ConfigException
    {
        final TlsSettings t = old != null ? old : new TlsSettings(null, null, null, null, null, null, ClientAuth.NONE, true);
        final String password;
        try
        {
            password = setting.endsWith("-password") ? TlsSettings.password(value, at, System::getenv) : null;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(ex.getMessage());
        }
        if ("client-auth".equals(setting))
        {
            return new TlsSettings(t.keyStore(), t.keyStorePassword(), t.keyStoreType(), t.trustStore(),
                t.trustStorePassword(), t.trustStoreType(), clientAuth(value, at), t.verifyHost(), t.provider());
        }
        if ("provider".equals(setting))
        {
            try
            {
                return t.withProvider(TlsSettings.provider(value, at));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException(ex.getMessage());
            }
        }
        final int index = STORE_SETTINGS.indexOf(setting);
        if (index < 0)
        {
            throw new ConfigException(at + ": unknown TLS setting; known: " + String.join(", ", KEYS));
        }
        final String[] stores = {t.keyStore(), t.keyStorePassword(), t.keyStoreType(), t.trustStore(),
            t.trustStorePassword(), t.trustStoreType()};
        stores[index] = password != null ? password : value;
        return new TlsSettings(stores[0], stores[1], stores[2], stores[3], stores[4], stores[5], t.clientAuth(),
            t.verifyHost(), t.provider());
    }

    private static ClientAuth clientAuth(final String value, final String at) throws ConfigException
    {
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "none": return ClientAuth.NONE;
            case "want": return ClientAuth.OPTIONAL;
            case "need": return ClientAuth.REQUIRE;
            default: throw new ConfigException(at + " = '" + value + "': expected none, want or need");
        }
    }

    private static void acceptor(final String rest, final String value, final String at, final BrokerContext context)
        throws ConfigException
    {
        final int dot = rest.lastIndexOf('.');
        final String name = rest.substring(0, dot);
        final String setting = rest.substring(dot + 1);
        final List<Acceptor> acceptors = context.acceptors();
        Acceptor old = new Acceptor(name, null, 0, false);
        for (int i = 0; i < acceptors.size(); i++)
        {
            if (acceptors.get(i).name().equals(name))
            {
                old = acceptors.remove(i);
                break;
            }
        }
        switch (setting)
        {
            case "bind":
            {
                final String[] hostPort = BrokerSettings.hostPort(value, at);
                acceptors.add(new Acceptor(name, hostPort[0], Integer.parseInt(hostPort[1]), old.tls()));
                break;
            }
            case "tls":
                acceptors.add(new Acceptor(name, old.host(), old.port(), BrokerSettings.bool(value, at)));
                break;
            default:
                throw new ConfigException(at + ": expected acceptor.NAME.bind or acceptor.NAME.tls");
        }
    }
}
