package io.meshmq.jms.jndi;

import io.meshmq.jms.MeshQueue;
import io.meshmq.jms.MeshTopic;

import javax.naming.Binding;
import javax.naming.CompositeName;
import javax.naming.Context;
import javax.naming.InvalidNameException;
import javax.naming.Name;
import javax.naming.NameAlreadyBoundException;
import javax.naming.NameClassPair;
import javax.naming.NameNotFoundException;
import javax.naming.NameParser;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.OperationNotSupportedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A flat, in-memory naming context: what {@link MeshInitialContextFactory} bound, plus whatever the
 * application binds at run time. Thread safe.
 */
final class MeshContext implements Context
{
    private static final String DYNAMIC_QUEUES = "dynamicQueues/";
    private static final String DYNAMIC_TOPICS = "dynamicTopics/";
    private static final NameParser PARSER = CompositeName::new;

    private final Hashtable<Object, Object> environment;
    private final Map<String, Object> bindings = new ConcurrentHashMap<>();

    MeshContext(final Hashtable<Object, Object> environment, final Map<String, Object> initial)
    {
        this.environment = environment;
        this.bindings.putAll(initial);
    }

    private static String key(final String name) throws InvalidNameException
    {
        if (name == null)
        {
            throw new InvalidNameException("name is null");
        }
        String n = name.trim();
        if (n.startsWith("java:comp/env/"))
        {
            n = n.substring("java:comp/env/".length());
        }
        return n;
    }

    @Override
    public Object lookup(final String name) throws NamingException
    {
        final String key = key(name);
        if (key.isEmpty())
        {
            return this;
        }
        final Object bound = bindings.get(key);
        if (bound != null)
        {
            return bound;
        }
        if (key.startsWith(DYNAMIC_QUEUES) && key.length() > DYNAMIC_QUEUES.length())
        {
            return new MeshQueue(key.substring(DYNAMIC_QUEUES.length()));
        }
        if (key.startsWith(DYNAMIC_TOPICS) && key.length() > DYNAMIC_TOPICS.length())
        {
            return new MeshTopic(key.substring(DYNAMIC_TOPICS.length()));
        }
        throw new NameNotFoundException("'" + name + "' is not bound; bound names: " + new java.util.TreeSet<>(bindings.keySet()));
    }

    @Override
    public Object lookup(final Name name) throws NamingException
    {
        return lookup(name.toString());
    }

    @Override
    public void bind(final String name, final Object obj) throws NamingException
    {
        final String key = key(name);
        if (key.isEmpty())
        {
            throw new InvalidNameException("cannot bind an empty name");
        }
        if (bindings.putIfAbsent(key, obj) != null)
        {
            throw new NameAlreadyBoundException("'" + name + "' is already bound");
        }
    }

    @Override
    public void bind(final Name name, final Object obj) throws NamingException
    {
        bind(name.toString(), obj);
    }

    @Override
    public void rebind(final String name, final Object obj) throws NamingException
    {
        final String key = key(name);
        if (key.isEmpty())
        {
            throw new InvalidNameException("cannot bind an empty name");
        }
        bindings.put(key, obj);
    }

    @Override
    public void rebind(final Name name, final Object obj) throws NamingException
    {
        rebind(name.toString(), obj);
    }

    @Override
    public void unbind(final String name) throws NamingException
    {
        bindings.remove(key(name));
    }

    @Override
    public void unbind(final Name name) throws NamingException
    {
        unbind(name.toString());
    }

    @Override
    public void rename(final String oldName, final String newName) throws NamingException
    {
        final Object obj = lookup(oldName);
        bind(newName, obj);
        unbind(oldName);
    }

    @Override
    public void rename(final Name oldName, final Name newName) throws NamingException
    {
        rename(oldName.toString(), newName.toString());
    }

    @Override
    public NamingEnumeration<NameClassPair> list(final String name) throws NamingException
    {
        checkRoot(name);
        final List<NameClassPair> pairs = new ArrayList<>();
        for (final Map.Entry<String, Object> e : bindings.entrySet())
        {
            pairs.add(new NameClassPair(e.getKey(), e.getValue().getClass().getName()));
        }
        return new ListEnumeration<>(pairs);
    }

    @Override
    public NamingEnumeration<NameClassPair> list(final Name name) throws NamingException
    {
        return list(name.toString());
    }

    @Override
    public NamingEnumeration<Binding> listBindings(final String name) throws NamingException
    {
        checkRoot(name);
        final List<Binding> list = new ArrayList<>();
        for (final Map.Entry<String, Object> e : bindings.entrySet())
        {
            list.add(new Binding(e.getKey(), e.getValue()));
        }
        return new ListEnumeration<>(list);
    }

    @Override
    public NamingEnumeration<Binding> listBindings(final Name name) throws NamingException
    {
        return listBindings(name.toString());
    }

    private static void checkRoot(final String name) throws NamingException
    {
        if (!key(name).isEmpty())
        {
            throw new OperationNotSupportedException("this context is flat: list only its root (\"\")");
        }
    }

    @Override
    public void destroySubcontext(final String name) throws NamingException
    {
        throw new OperationNotSupportedException("this context is flat: no subcontexts");
    }

    @Override
    public void destroySubcontext(final Name name) throws NamingException
    {
        destroySubcontext(name.toString());
    }

    @Override
    public Context createSubcontext(final String name) throws NamingException
    {
        throw new OperationNotSupportedException("this context is flat: no subcontexts");
    }

    @Override
    public Context createSubcontext(final Name name) throws NamingException
    {
        return createSubcontext(name.toString());
    }

    @Override
    public Object lookupLink(final String name) throws NamingException
    {
        return lookup(name);
    }

    @Override
    public Object lookupLink(final Name name) throws NamingException
    {
        return lookup(name);
    }

    @Override
    public NameParser getNameParser(final String name)
    {
        return PARSER;
    }

    @Override
    public NameParser getNameParser(final Name name)
    {
        return PARSER;
    }

    @Override
    public Name composeName(final Name name, final Name prefix) throws NamingException
    {
        return ((Name)prefix.clone()).addAll(name);
    }

    @Override
    public String composeName(final String name, final String prefix)
    {
        return prefix == null || prefix.isEmpty() ? name : prefix + "/" + name;
    }

    @Override
    public Object addToEnvironment(final String propName, final Object propVal)
    {
        return environment.put(propName, propVal);
    }

    @Override
    public Object removeFromEnvironment(final String propName)
    {
        return environment.remove(propName);
    }

    @Override
    public Hashtable<?, ?> getEnvironment()
    {
        return new Hashtable<>(environment);
    }

    @Override
    public void close()
    {
    }

    @Override
    public String getNameInNamespace()
    {
        return "";
    }

    private static final class ListEnumeration<T> implements NamingEnumeration<T>
    {
        private final Iterator<T> iterator;

        ListEnumeration(final List<T> list)
        {
            this.iterator = Collections.unmodifiableList(list).iterator();
        }

        @Override
        public T next()
        {
            return iterator.next();
        }

        @Override
        public boolean hasMore()
        {
            return iterator.hasNext();
        }

        @Override
        public void close()
        {
        }

        @Override
        public boolean hasMoreElements()
        {
            return iterator.hasNext();
        }

        @Override
        public T nextElement()
        {
            return iterator.next();
        }
    }
}
