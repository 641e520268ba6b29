package io.meshmq.cluster;

/**
 * A member of the cluster as configured: HOST:PORT, an IPv6 host in brackets.
 */
public record Member(String host, int port)
{
    /**
     * @throws IllegalArgumentException saying what is wrong with it.
     */
    public static Member parse(final String text)
    {
        final String member = text.strip();
        final int colon = member.lastIndexOf(':');
        if (colon <= 0 || colon == member.length() - 1)
        {
            throw new IllegalArgumentException("cluster member '" + text + "' must be HOST:PORT");
        }
        String host = member.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(member.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("cluster member '" + text + "' has a port that is not a number");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("cluster member '" + text + "' has port " + port + ", outside 1-65535");
        }
        return new Member(host, port);
    }

    @Override
    public String toString()
    {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
