package io.meshmq.ra.outbound;

import jakarta.resource.spi.ConnectionRequestInfo;

/**
 * The user and password an application passed to {@code createConnection(user, password)}.
 */
record MeshConnectionRequestInfo(String user, String password) implements ConnectionRequestInfo
{
    @Override
    public String toString()
    {
        return "user " + user;
    }
}
