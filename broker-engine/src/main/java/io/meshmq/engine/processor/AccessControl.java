package io.meshmq.engine.processor;

import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.security.Authorizer;
import io.meshmq.engine.security.Permission;
import io.meshmq.engine.security.SecuritySettings;
import io.meshmq.protocol.ConsumerFlags;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;

/**
 * Holds every operation of an application's connection to its user's permissions ({@link Authorizer}): a refusal
 * answers with a SECURITY error (a {@code JMSSecurityException} for the application) naming the user, the address and
 * the permission, and is logged, at most {@value #LOGGED_PER_MINUTE} lines a minute so a client that keeps trying
 * cannot fill the disk. Other nodes' cluster connections were checked for role {@code cluster} when they connected and
 * act for the whole cluster: they are not held to address permissions.
 * <p>
 * Not thread safe: processor thread only.
 */
final class AccessControl
{
    private static final System.Logger LOG = System.getLogger(AccessControl.class.getName());
    static final int LOGGED_PER_MINUTE = 10;
    private static final long MINUTE_MS = 60_000;
    static final String MANAGEMENT_ADDRESS = SecuritySettings.MANAGEMENT_ADDRESS;

    private final Authorizer authorizer;
    private final Destinations destinations;
    private final ProcessorExtension extension;
    private final ConnectionWriter writer;
    private final CommandClock clock;
    private long minuteStartMs = Long.MIN_VALUE;
    private int loggedThisMinute;
    private int notLogged;

    AccessControl(final Authorizer authorizer, final Destinations destinations, final ProcessorExtension extension,
        final ConnectionWriter writer, final CommandClock clock)
    {
        this.authorizer = authorizer;
        this.destinations = destinations;
        this.extension = extension;
        this.writer = writer;
        this.clock = clock;
    }

    boolean isOn()
    {
        return authorizer.isOn();
    }

    /**
     * @return whether the connection's user holds the permission on the address; nothing is answered.
     */
    boolean permits(final ConnectionState connection, final String address, final Permission permission)
    {
        return !connection.client || authorizer.allows(connection.roles, address, permission);
    }

    /**
     * @return true if the connection's user holds the permission on the address; else false, having answered the
     * command with the refusal and logged it.
     */
    boolean check(final ConnectionState connection, final ConnectionOutput output, final long correlationId,
        final String address, final Permission permission)
    {
        if (permits(connection, address, permission))
        {
            return true;
        }
        final String refusal = "user '" + connection.user + "' lacks permission '" + permission + "' on address '" +
            address + "'";
        writer.error(output, correlationId, ErrorCode.SECURITY, refusal);
        log(refusal + " (connection from " + output.remoteAddress() + ")");
        return false;
    }

    /**
     * Holds a command to what its user may do, as far as that can be known before the part that runs it looks at its
     * destination's state (subscriptions, which {@link Consumers} checks as it finds or makes them).
     *
     * @param connection the command's connection; null once closed.
     * @return true if the command may run; else false, having answered it with the refusal.
     */
    boolean admits(final ConnectionState connection, final EngineEvent event)
    {
        if (connection == null || !connection.client || !authorizer.isOn())
        {
            return true;
        }
        final ConnectionOutput output = event.connection;
        final long correlationId = event.correlationId;
        switch (event.type)
        {
            case EngineEvent.SEND:
                return checkSend(connection, output, correlationId, event.destinationType, event.destinationName);
            case EngineEvent.COMMIT:
            case EngineEvent.XA_PREPARE:
                for (int i = 0; i < event.sendTypes.length; i++)
                {
                    if (!checkSend(connection, output, correlationId, event.sendTypes[i], event.sendNames[i]))
                    {
                        return false;
                    }
                }
                return true;
            case EngineEvent.DUPLICATE_CHECK:
                return check(connection, output, correlationId, extension.addressOf(event.destinationName),
                    Permission.SEND);
            case EngineEvent.CREATE_CONSUMER:
                return check(connection, output, correlationId, event.destinationName,
                    ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.BROWSER) ? Permission.BROWSE : Permission.CONSUME) &&
                    checkMade(connection, output, correlationId, event.destinationType, event.destinationName);
            case EngineEvent.CREATE_TEMP:
                return check(connection, output, correlationId, event.destinationName,
                    DestinationType.isTopic(event.destinationType) ? Permission.CREATE_ADDRESS :
                        Permission.CREATE_NON_DURABLE_QUEUE);
            case EngineEvent.ADMIN:
                return checkAdmin(connection, output, correlationId, event.destinationName, event.sendNames);
            default:
                return true;
        }
    }

    /**
     * A send (alone, or in a transaction or XA branch): {@code send}, and what making the destination takes if the send
     * makes it.
     *
     * @return true if allowed; else false, having answered the command with the refusal.
     */
    boolean checkSend(final ConnectionState connection, final ConnectionOutput output, final long correlationId,
        final byte type, final String name)
    {
        if (!authorizer.isOn() || !connection.client)
        {
            return true;
        }
        // a name that says where the message goes is held to its address's permissions
        final String address = extension.addressOf(name);
        return check(connection, output, correlationId, address, Permission.SEND) &&
            checkMade(connection, output, correlationId, type, address);
    }

    /**
     * A queue or topic that exists nowhere yet (not here, and no other node of the cluster has told of it) is made by its
     * first use: {@code createAddress}, and for a queue (a
     * durable one, as JMS queues are) {@code createDurableQueue}. Temporary destinations are made only by their own
     * command.
     *
     * @return true if allowed (or nothing is made); else false, having answered the command with the refusal.
     */
    boolean checkMade(final ConnectionState connection, final ConnectionOutput output, final long correlationId,
        final byte type, final String name)
    {
        if (!authorizer.isOn() || !connection.client || DestinationType.isTemporary(type) ||
            destinations.exists(type, name) || extension.existsElsewhere(type, name))
        {
            return true;
        }
        return check(connection, output, correlationId, name, Permission.CREATE_ADDRESS) &&
            (DestinationType.isTopic(type) || check(connection, output, correlationId, name, Permission.CREATE_DURABLE_QUEUE));
    }

    /**
     * Every admin and cluster verb needs {@code manage} on {@value #MANAGEMENT_ADDRESS}; one that makes or deletes a
     * destination also needs what a client would need to do that to it.
     *
     * @return true if allowed; else false, having answered the command with the refusal.
     */
    boolean checkAdmin(final ConnectionState connection, final ConnectionOutput output, final long correlationId,
        final String verb, final String[] args)
    {
        if (!check(connection, output, correlationId, MANAGEMENT_ADDRESS, Permission.MANAGE))
        {
            return false;
        }
        final String name = args.length == 1 ? args[0] : null;
        if (name == null)
        {
            return true;
        }
        for (final Permission permission : Authorizer.onDestinationFor(verb))
        {
            if (!check(connection, output, correlationId, name, permission))
            {
                return false;
            }
        }
        return true;
    }

    private void log(final String line)
    {
        final long nowMs = clock.nowMs();
        if (nowMs - minuteStartMs >= MINUTE_MS)
        {
            if (notLogged > 0)
            {
                LOG.log(System.Logger.Level.WARNING, notLogged + " more refusals in the last minute were not logged");
            }
            minuteStartMs = nowMs;
            loggedThisMinute = 0;
            notLogged = 0;
        }
        if (loggedThisMinute < LOGGED_PER_MINUTE)
        {
            loggedThisMinute++;
            LOG.log(System.Logger.Level.WARNING, "refused: " + line);
        }
        else
        {
            notLogged++;
        }
    }
}
