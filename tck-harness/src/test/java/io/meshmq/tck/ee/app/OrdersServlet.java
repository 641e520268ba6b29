package io.meshmq.tck.ee.app;

import jakarta.annotation.Resource;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.inject.Inject;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * GET /orders lists the recorded orders ({@code text delivery} per line, creating the table the first time);
 * POST /orders?prefix=P&amp;count=N sends orders P-0 to P-(N-1) through the pooled factory, outside a transaction:
 * with the classic API, or with {@code api=context} through the server's injected {@link JMSContext}.
 */
@WebServlet("/orders")
public class OrdersServlet extends HttpServlet
{
    private static final long serialVersionUID = 1L;

    @Resource(lookup = "java:app/jms/meshmq")
    private ConnectionFactory factory;

    @Inject
    @JMSConnectionFactory("java:app/jms/meshmq")
    private JMSContext context;

    @Resource(lookup = "jdbc/orders")
    private DataSource database;

    @Override
    public void init() throws ServletException
    {
        try (java.sql.Connection sql = database.getConnection(); Statement ddl = sql.createStatement())
        {
            ddl.execute("create table if not exists orders(text varchar(200), delivery int)");
        }
        catch (final SQLException ex)
        {
            throw new ServletException(ex);
        }
    }

    @Override
    protected void doGet(final HttpServletRequest request, final HttpServletResponse response) throws IOException
    {
        response.setContentType("text/plain");
        try (java.sql.Connection sql = database.getConnection(); Statement query = sql.createStatement();
            ResultSet rows = query.executeQuery("select text, delivery from orders order by text, delivery"))
        {
            final PrintWriter out = response.getWriter();
            while (rows.next())
            {
                out.println(rows.getString(1) + " " + rows.getInt(2));
            }
        }
        catch (final SQLException ex)
        {
            throw new IOException(ex);
        }
    }

    @Override
    protected void doPost(final HttpServletRequest request, final HttpServletResponse response) throws IOException
    {
        final String prefix = request.getParameter("prefix");
        final int count = Integer.parseInt(request.getParameter("count"));
        if ("context".equals(request.getParameter("api")))
        {
            final JMSProducer producer = context.createProducer();
            for (int i = 0; i < count; i++)
            {
                producer.send(context.createQueue("orders"), prefix + "-" + i);
            }
        }
        else
        {
            sendClassic(prefix, count);
        }
        response.setContentType("text/plain");
        response.getWriter().println("sent " + count);
    }

    private void sendClassic(final String prefix, final int count) throws IOException
    {
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession();
            final MessageProducer producer = session.createProducer(session.createQueue("orders"));
            for (int i = 0; i < count; i++)
            {
                producer.send(session.createTextMessage(prefix + "-" + i));
            }
        }
        catch (final JMSException ex)
        {
            throw new IOException(ex);
        }
    }
}
