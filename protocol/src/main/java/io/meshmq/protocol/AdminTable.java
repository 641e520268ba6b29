package io.meshmq.protocol;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The result of a management call: named columns and rows of typed values.
 * <pre>
 * int columnCount, columnCount x string name, int rowCount, rowCount x columnCount x typed value
 * </pre>
 * Immutable once built.
 */
public final class AdminTable
{
    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();

    public AdminTable(final String... columns)
    {
        this.columns = List.of(columns);
    }

    private AdminTable(final List<String> columns)
    {
        this.columns = List.copyOf(columns);
    }

    public AdminTable row(final Object... values)
    {
        if (values.length != columns.size())
        {
            throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns");
        }
        rows.add(Arrays.asList(values.clone()));
        return this;
    }

    public List<String> columns()
    {
        return columns;
    }

    public List<List<Object>> rows()
    {
        return Collections.unmodifiableList(rows);
    }

    /**
     * @return the value in a row by column name.
     * @throws IllegalArgumentException if there is no such column.
     */
    public Object value(final int row, final String column)
    {
        final int index = columns.indexOf(column);
        if (index < 0)
        {
            throw new IllegalArgumentException("no column '" + column + "' in " + columns);
        }
        return rows.get(row).get(index);
    }

    public void encode(final WireWriter writer)
    {
        writer.writeInt(columns.size());
        for (final String column : columns)
        {
            writer.writeString(column);
        }
        writer.writeInt(rows.size());
        for (final List<Object> row : rows)
        {
            for (final Object value : row)
            {
                TypedValueCodec.write(writer, value);
            }
        }
    }

    /**
     * @throws ProtocolException if the bytes are not a table.
     */
    public static AdminTable decode(final byte[] encoded)
    {
        final WireReader reader = new WireReader().wrap(new UnsafeBuffer(encoded), 0, encoded.length);
        final int columnCount = reader.readCount(4);
        final List<String> columns = new ArrayList<>(columnCount);
        for (int i = 0; i < columnCount; i++)
        {
            columns.add(reader.readRequiredString("column name"));
        }
        final AdminTable table = new AdminTable(columns);
        final int rowCount = reader.readCount(columnCount);
        for (int r = 0; r < rowCount; r++)
        {
            final Object[] values = new Object[columnCount];
            for (int c = 0; c < columnCount; c++)
            {
                values[c] = TypedValueCodec.read(reader);
            }
            table.rows.add(Arrays.asList(values));
        }
        reader.requireEnd("admin table");
        return table;
    }
}
