package io.meshmq.engine.security;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a role may do with an address, by the names Artemis users know from {@code <permission type="...">}.
 */
public enum Permission
{
    SEND("send"),
    CONSUME("consume"),
    BROWSE("browse"),
    CREATE_DURABLE_QUEUE("createDurableQueue"),
    DELETE_DURABLE_QUEUE("deleteDurableQueue"),
    CREATE_NON_DURABLE_QUEUE("createNonDurableQueue"),
    CREATE_ADDRESS("createAddress"),
    DELETE_ADDRESS("deleteAddress"),
    MANAGE("manage");

    private static final Permission[] ALL = values();

    private final String configName;

    Permission(final String configName)
    {
        this.configName = configName;
    }

    /**
     * @return the name in configuration and in refusals, e.g. {@code createDurableQueue}.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * @param name as configured; case does not matter.
     * @throws IllegalArgumentException naming the known permissions if there is none of that name.
     */
    public static Permission named(final String name)
    {
        for (final Permission permission : ALL)
        {
            if (permission.configName.equalsIgnoreCase(name))
            {
                return permission;
            }
        }
        throw new IllegalArgumentException("unknown permission '" + name + "'; known: " +
            Arrays.stream(ALL).map(Permission::configName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString()
    {
        return configName;
    }
}
