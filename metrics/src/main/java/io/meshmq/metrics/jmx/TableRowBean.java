package io.meshmq.metrics.jmx;

import io.meshmq.metrics.AdminCalls;
import io.meshmq.protocol.AdminTable;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import java.util.List;

/**
 * One row of an admin table as an MBean whose attributes are the table's columns (a cluster link's state and
 * backlog, a bridge's state, backlog and last error): each read asks the verb again, so values are current. Read
 * only.
 */
final class TableRowBean implements DynamicMBean
{
    private final AdminCalls admin;
    private final String verb;
    private final String keyColumn;
    private final String key;
    private final MBeanInfo info;

    TableRowBean(final AdminCalls admin, final String verb, final String keyColumn, final String key,
        final List<String> columns, final String description)
    {
        this.admin = admin;
        this.verb = verb;
        this.keyColumn = keyColumn;
        this.key = key;
        final MBeanAttributeInfo[] attributes = new MBeanAttributeInfo[columns.size()];
        for (int i = 0; i < attributes.length; i++)
        {
            attributes[i] = new MBeanAttributeInfo(columns.get(i), Object.class.getName(), columns.get(i) + " as " +
                verb + " shows it", true, false, false);
        }
        this.info = new MBeanInfo(TableRowBean.class.getName(), description, attributes, null,
            new MBeanOperationInfo[0], null);
    }

    @Override
    public Object getAttribute(final String attribute) throws AttributeNotFoundException
    {
        final AdminTable table = admin.call(verb);
        if (!table.columns().contains(attribute))
        {
            throw new AttributeNotFoundException(attribute + " is not a column of " + verb);
        }
        for (int r = 0; r < table.rows().size(); r++)
        {
            if (key.equals(String.valueOf(table.value(r, keyColumn))))
            {
                return table.value(r, attribute);
            }
        }
        return null;
    }

    @Override
    public AttributeList getAttributes(final String[] attributes)
    {
        final AttributeList list = new AttributeList();
        for (final String attribute : attributes)
        {
            try
            {
                list.add(new Attribute(attribute, getAttribute(attribute)));
            }
            catch (final AttributeNotFoundException ex)
            {
                // left out, as the interface asks
            }
        }
        return list;
    }

    @Override
    public void setAttribute(final Attribute attribute) throws AttributeNotFoundException
    {
        throw new AttributeNotFoundException(attribute.getName() + " is read only");
    }

    @Override
    public AttributeList setAttributes(final AttributeList attributes)
    {
        return new AttributeList();
    }

    @Override
    public Object invoke(final String action, final Object[] params, final String[] signature)
    {
        throw new UnsupportedOperationException("no operation " + action);
    }

    @Override
    public MBeanInfo getMBeanInfo()
    {
        return info;
    }
}
