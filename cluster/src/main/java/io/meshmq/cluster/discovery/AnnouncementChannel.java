package io.meshmq.cluster.discovery;

import java.io.IOException;

/**
 * What discovery announces on and hears from: a UDP multicast group ({@link UdpChannel}) or a JGroups channel
 * ({@link JGroupsChannel}, where multicast is not allowed). Every member of the channel gets every announcement sent.
 * <p>
 * Thread safe: {@link #send} from the discovery's timer thread, {@link Listener} called on the channel's own thread.
 */
public interface AnnouncementChannel extends AutoCloseable
{
    /**
     * Told every packet another member sent.
     */
    @FunctionalInterface
    interface Listener
    {
        /**
         * @param from the sender, for a log line.
         */
        void heard(byte[] data, int offset, int length, String from);
    }

    /**
     * Joins the channel and starts telling the listener what others send.
     *
     * @throws IOException if it cannot be joined.
     */
    void open(Listener listener) throws IOException;

    /**
     * Sends to every member of the channel.
     */
    void send(byte[] packet) throws IOException;

    /**
     * @return what it is, for log lines: e.g. "UDP multicast 239.7.9.18:9876".
     */
    String describe();

    @Override
    void close();
}
