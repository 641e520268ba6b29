package io.meshmq.client;

/**
 * Told when a connection is lost without the application closing it. Called on a Netty I/O thread: hand
 * slow work to another thread.
 */
public interface ConnectionListener
{
    void onConnectionLost(ClientException cause);
}
