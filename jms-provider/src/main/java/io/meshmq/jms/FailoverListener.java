package io.meshmq.jms;

/**
 * Told when a connection loses its broker and the client reconnects for the application: see
 * {@link MeshConnection#setFailoverListener(FailoverListener)}. The {@code ExceptionListener} hears only of a
 * connection the client gave up on.
 */
@FunctionalInterface
public interface FailoverListener
{
    void onFailover(FailoverEvent event);
}
