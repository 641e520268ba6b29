package io.meshmq.client;

/**
 * Told when a connection is lost without the application closing it. Called on a Netty I/O thread: hand
 * slow work to another thread.
 */
public interface ConnectionListener
{
    /**
     * The client gave up: the connection was lost and it may not, or could not, reconnect.
     */
    void onConnectionLost(ClientException cause);

    /**
     * The connection to a broker was lost and the client starts to reconnect; calls wait meanwhile.
     */
    default void onFailoverStarted(ConnectionUrl from, ClientException cause)
    {
    }

    /**
     * The client reconnected and made again on the new broker what it had on the old.
     *
     * @param tookMs from the loss to now.
     */
    default void onFailoverCompleted(ConnectionUrl to, long tookMs)
    {
    }
}
