package io.meshmq.ra;

import java.io.Serializable;
import java.util.Objects;

/**
 * A queue or topic an administrator configures in the application server: an administered object whose one property
 * is its {@code name}; every MeshMQ session takes it by that name.
 */
public abstract class AdministeredDestination implements Serializable
{
    private static final long serialVersionUID = 1L;

    private String name;

    public String getName()
    {
        return name;
    }

    public void setName(final String name)
    {
        this.name = name;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other != null && other.getClass() == getClass() &&
            Objects.equals(name, ((AdministeredDestination)other).name);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(getClass().getName(), name);
    }
}
