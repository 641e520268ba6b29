package io.meshmq.cluster.discovery;

import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;

import java.io.IOException;

/**
 * Announcements over a JGroups channel, for networks where UDP multicast is not allowed: the user's stack file (a
 * TCP stack with TCPPING or a discovery protocol of their choice) and channel name; every member of the channel gets
 * every announcement. The file is a path, or a resource JGroups ships ({@code tcp.xml}, {@code udp.xml}).
 * <p>
 * Thread safe: see {@link AnnouncementChannel}; JGroups calls the listener on its own threads.
 */
public final class JGroupsChannel implements AnnouncementChannel
{
    private final String stackFile;
    private final String channelName;
    private JChannel channel;

    public JGroupsChannel(final String stackFile, final String channelName)
    {
        this.stackFile = stackFile;
        this.channelName = channelName;
    }

    @Override
    public void open(final Listener listener) throws IOException
    {
        try
        {
            channel = new JChannel(stackFile);
            channel.setDiscardOwnMessages(true);
            channel.setReceiver(new Receiver()
            {
                @Override
                public void receive(final Message message)
                {
                    final byte[] data = message.getArray();
                    if (data != null)
                    {
                        listener.heard(data, message.getOffset(), message.getLength(),
                            String.valueOf(message.getSrc()));
                    }
                }
            });
            channel.connect(channelName);
        }
        catch (final Exception ex)
        {
            close();
            throw new IOException("JGroups channel '" + channelName + "' with stack " + stackFile + ": " +
                ex.getMessage(), ex);
        }
    }

    @Override
    public void send(final byte[] packet) throws IOException
    {
        try
        {
            channel.send(new BytesMessage(null, packet));
        }
        catch (final Exception ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }
    }

    @Override
    public String describe()
    {
        return "JGroups channel '" + channelName + "' (" + stackFile + ")";
    }

    @Override
    public void close()
    {
        if (channel != null)
        {
            channel.close();
        }
    }
}
