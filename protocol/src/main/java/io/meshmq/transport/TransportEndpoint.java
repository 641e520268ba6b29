package io.meshmq.transport;

/**
 * One place a transport connects to: what a {@link TransportConnector} needs of a client URL.
 *
 * @param url              the URL as the user wrote it, for messages.
 * @param scheme           lower case ("tcp", "vm").
 * @param host             the host, or the in-VM broker id.
 * @param port             the port; unused by in-VM.
 * @param connectTimeoutMs how long a connection attempt may take.
 * @param tls              TLS to use over the socket; null for none.
 */
public record TransportEndpoint(String url, String scheme, String host, int port, long connectTimeoutMs,
    TlsSettings tls)
{
    @Override
    public String toString()
    {
        return url;
    }
}
