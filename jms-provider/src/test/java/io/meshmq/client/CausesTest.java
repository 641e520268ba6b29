package io.meshmq.client;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.security.cert.CertificateException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CausesTest
{
    @Test
    void shouldSayWhatCausedAFailureOnceEach()
    {
        final SSLHandshakeException handshake = new SSLHandshakeException("General OpenSslEngine problem");
        handshake.initCause(new CertificateException("PKIX path building failed"));
        final RuntimeException decoder = new RuntimeException("javax.net.ssl.SSLHandshakeException: General " +
            "OpenSslEngine problem", handshake);
        assertEquals("javax.net.ssl.SSLHandshakeException: General OpenSslEngine problem; caused by: PKIX path building " +
            "failed", Causes.describe(decoder));
        assertEquals("java.lang.IllegalStateException", Causes.describe(new IllegalStateException()));
    }
}
